import { z } from "zod";

/**
 * A `mesos` entry of clusters.yaml:
 *
 *   - id: dc1-mesos
 *     orchestrator: mesos
 *     master: { url: https://mesos.dc1:5050, username: ops, passwordEnv: MESOS_PASSWORD }
 *     marathon: { url: https://marathon.dc1:8080, username: ops, password: "..." }
 *     tls: { caFile: /etc/ssl/dc1-ca.pem }
 *
 * Either endpoint may be absent: without Marathon the cluster is read-only;
 * without the master there are no agents and no usage.
 */
const EndpointSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .refine((u) => !new URL(u).username && !new URL(u).password, {
        message: "put credentials in username and password, not in the URL",
      })
      .transform((u) => u.replace(/\/+$/, "")),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** Name of an environment variable holding the password, to keep it out of the file. */
    passwordEnv: z.string().min(1).optional(),
  })
  .refine((e) => !(e.password !== undefined && e.passwordEnv !== undefined), {
    message: "set password or passwordEnv, not both",
  });
export type MesosEndpoint = z.infer<typeof EndpointSchema>;

export const MesosConnectionSchema = z
  .object({
    master: EndpointSchema.optional(),
    marathon: EndpointSchema.optional(),
    tls: z
      .object({
        /** PEM of the CA that signed the master's, agents' and Marathon's certificates. */
        ca: z.string().optional(),
        caFile: z.string().optional(),
        insecureSkipVerify: z.boolean().optional(),
      })
      .optional(),
  })
  .refine((c) => c.master !== undefined || c.marathon !== undefined, {
    message: "a mesos cluster needs a master url, a marathon url, or both",
  });
export type MesosConnection = z.infer<typeof MesosConnectionSchema>;
