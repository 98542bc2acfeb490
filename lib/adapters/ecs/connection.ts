import { z } from "zod";

/**
 * A clusters.yaml `ecs` entry. Credentials come from the SDK's default chain
 * (environment, shared config and `profile`, SSO, web identity, instance
 * metadata); `credentials` exists for emulators such as the Fleetdeck
 * simulator or LocalStack, which accept any well-formed signature.
 */
export const EcsConnectionSchema = z
  .object({
    /** Defaults to AWS_REGION / AWS_DEFAULT_REGION / the profile's region, as the AWS CLI does. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as eu-west-1")
      .optional(),
    /** Cluster name or ARN; absent means every cluster of the account in the region. */
    cluster: z
      .string()
      .regex(
        /^([A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/,
        "must be an ECS cluster name or cluster ARN",
      )
      .optional(),
    /** A named profile of the shared config files (like AWS_PROFILE). */
    profile: z.string().min(1).optional(),
    /** An endpoint override for private endpoints and emulators; used for both ECS and CloudWatch. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    credentials: z
      .object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        sessionToken: z.string().min(1).optional(),
      })
      .optional(),
    /** Poll period; ECS has no watch API. Bounded so a typo cannot hammer the account's API quota. */
    pollIntervalSeconds: z.number().min(5).max(600).default(15),
  })
  .strict();

export type EcsConnection = z.infer<typeof EcsConnectionSchema>;

/** The cluster's name, whether the connection gave a name or an ARN. */
export function clusterNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith("arn:") ? nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1) : nameOrArn;
}
