import type { AdapterModule } from "@/lib/adapters/module";
import { NomadAdapter } from "./adapter";
import { discoverFromEnv, NomadConnectionSchema, type NomadConnection } from "./connection";

export { NomadAdapter } from "./adapter";
export { NomadConnectionSchema, type NomadConnection } from "./connection";

/** HashiCorp Nomad through its HTTP API (clients, jobs and task groups, allocations, services). */
export const adapterModule: AdapterModule<NomadConnection> = {
  orchestrator: "nomad",
  connectionSchema: NomadConnectionSchema,
  create: (connection, context) => new NomadAdapter(connection, context),
  async discover(env, log) {
    const found = discoverFromEnv(env);
    for (const c of found) log.info("found a Nomad cluster in the environment", { id: c.id, address: c.connection.address });
    return found;
  },
};
