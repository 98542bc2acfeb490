import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { AdapterError } from "@/lib/adapters/errors";
import type { SecretSet } from "@/lib/adapters/secrets";
import type { EcsConnection } from "./connection";
import { toAdapterError } from "./errors";
import {
  RawClusterSchema,
  RawContainerInstanceSchema,
  RawServiceSchema,
  RawTaskDefinitionSchema,
  RawTaskSchema,
  parseAll,
  type RawCluster,
  type RawContainerInstance,
  type RawService,
  type RawTask,
  type RawTaskDefinition,
} from "./raw";

/** AWS's per-call limits: Describe* take at most this many items. */
export const DESCRIBE_LIMITS = { clusters: 100, containerInstances: 100, services: 10, tasks: 100 } as const;

/** What the SDK signs with (its AwsCredentialIdentity). */
type AwsCredentials = Awaited<ReturnType<ECSClient["config"]["credentials"]>>;

export interface EcsClientOptions {
  /** SDK attempts per call, including retries of throttling and 5xx (SDK default 3). */
  maxAttempts?: number;
  requestTimeoutMs?: number;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The ECS and CloudWatch calls the adapter makes, with paging, the
 * Describe* batch limits, validation of answers and AWS errors turned into
 * AdapterErrors. Credentials stay inside the SDK clients; every one they
 * sign with is registered in `secrets`, so an error that echoes the request
 * (its SigV4 Authorization with the access key id, its x-amz-security-token)
 * can be redacted.
 */
export class EcsApi {
  private readonly ecs: ECSClient;
  private readonly cloudwatch: CloudWatchClient;

  constructor(
    connection: Pick<EcsConnection, "region" | "profile" | "endpoint" | "credentials">,
    options: EcsClientOptions = {},
    secrets?: SecretSet,
  ) {
    const config = {
      region: connection.region,
      profile: connection.profile,
      endpoint: connection.endpoint,
      credentials: connection.credentials,
      maxAttempts: options.maxAttempts,
      // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes, and a hung endpoint hangs the poll for good.
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 20_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
    };
    this.ecs = new ECSClient(config);
    this.cloudwatch = new CloudWatchClient(config);
    if (secrets) {
      const register = (c: AwsCredentials | undefined) => secrets.add(c?.accessKeyId, c?.secretAccessKey, c?.sessionToken);
      register(connection.credentials);
      // The default chain (environment, profile, SSO, web identity, instance metadata) resolves lazily and
      // refreshes temporary credentials: register what the client's own (memoized) provider answers before
      // each request, the identity the request is then signed with.
      let last: AwsCredentials | null = null;
      const registering =
        (provider: () => Promise<AwsCredentials>) =>
        <A, R>(next: (args: A) => Promise<R>) =>
        async (args: A): Promise<R> => {
          const identity = await provider();
          if (identity !== last) register((last = identity));
          return next(args);
        };
      const step = { step: "build", name: "fleetdeckRegisterCredentials" } as const;
      this.ecs.middlewareStack.add(
        registering(() => this.ecs.config.credentials()),
        step,
      );
      this.cloudwatch.middlewareStack.add(
        registering(() => this.cloudwatch.config.credentials()),
        step,
      );
    }
  }

  /** The region the SDK resolved (from the connection, AWS_REGION or the profile). */
  async region(): Promise<string> {
    return this.ecs.config.region();
  }

  destroy(): void {
    this.ecs.destroy();
    this.cloudwatch.destroy();
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if ((err as Error)?.name === "AbortError") throw err;
      throw toAdapterError(err, what);
    }
  }

  /** Follows nextToken to the end; `max` is the largest page AWS allows for the call. */
  private async listAll(
    what: string,
    fetch: (nextToken: string | undefined) => Promise<{ arns?: string[]; nextToken?: string }>,
  ): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.call(what, () => fetch(nextToken));
      arns.push(...(page.arns ?? []));
      nextToken = page.nextToken;
      // A repeated token would loop forever; AWS never sends one, a broken proxy might.
      if (nextToken && seen.has(nextToken)) throw new AdapterError("upstream", `${what}: the same nextToken came back twice`);
      if (nextToken) seen.add(nextToken);
    } while (nextToken);
    return arns;
  }

  private parsed<T>(what: string, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      throw new AdapterError("upstream", `${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async listClusterArns(signal?: AbortSignal): Promise<string[]> {
    return this.listAll("ListClusters", async (nextToken) => {
      const out = await this.ecs.send(new ListClustersCommand({ nextToken, maxResults: 100 }), { abortSignal: signal });
      return { arns: out.clusterArns, nextToken: out.nextToken };
    });
  }

  /** Describes clusters; a missing one is a not-found error naming it. */
  async describeClusters(clusters: string[], signal?: AbortSignal): Promise<RawCluster[]> {
    const out: RawCluster[] = [];
    for (const batch of chunks(clusters, DESCRIBE_LIMITS.clusters)) {
      const answer = await this.call("DescribeClusters", () =>
        this.ecs.send(new DescribeClustersCommand({ clusters: batch, include: ["SETTINGS"] }), { abortSignal: signal }),
      );
      const missing = answer.failures?.[0];
      if (missing)
        throw new AdapterError("not-found", `DescribeClusters: cluster ${missing.arn ?? batch[0]} ${missing.reason ?? "MISSING"}`);
      out.push(...this.parsed("DescribeClusters", () => parseAll(RawClusterSchema, answer.clusters, "cluster")));
    }
    return out;
  }

  async containerInstances(cluster: string, signal?: AbortSignal): Promise<RawContainerInstance[]> {
    const arns = await this.listAll("ListContainerInstances", async (nextToken) => {
      const out = await this.ecs.send(new ListContainerInstancesCommand({ cluster, nextToken, maxResults: 100 }), { abortSignal: signal });
      return { arns: out.containerInstanceArns, nextToken: out.nextToken };
    });
    const out: RawContainerInstance[] = [];
    for (const batch of chunks(arns, DESCRIBE_LIMITS.containerInstances)) {
      const answer = await this.call("DescribeContainerInstances", () =>
        this.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }), { abortSignal: signal }),
      );
      // Instances deregistered between the list and the describe come back as failures; skip them.
      out.push(
        ...this.parsed("DescribeContainerInstances", () =>
          parseAll(RawContainerInstanceSchema, answer.containerInstances, "container instance"),
        ),
      );
    }
    return out;
  }

  async services(cluster: string, signal?: AbortSignal): Promise<RawService[]> {
    const arns = await this.listAll("ListServices", async (nextToken) => {
      const out = await this.ecs.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 }), { abortSignal: signal });
      return { arns: out.serviceArns, nextToken: out.nextToken };
    });
    const out: RawService[] = [];
    for (const batch of chunks(arns, DESCRIBE_LIMITS.services)) {
      const answer = await this.call("DescribeServices", () =>
        this.ecs.send(new DescribeServicesCommand({ cluster, services: batch, include: ["TAGS"] }), { abortSignal: signal }),
      );
      out.push(...this.parsed("DescribeServices", () => parseAll(RawServiceSchema, answer.services, "service")));
    }
    return out;
  }

  /** Running and pending tasks, plus the recently stopped ones ECS still lists (about an hour). */
  async tasks(cluster: string, signal?: AbortSignal): Promise<RawTask[]> {
    const arns = new Set<string>();
    for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
      const listed = await this.listAll("ListTasks", async (nextToken) => {
        const out = await this.ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken, maxResults: 100 }), {
          abortSignal: signal,
        });
        return { arns: out.taskArns, nextToken: out.nextToken };
      });
      // A task stopping between the two lists shows up in both.
      for (const arn of listed) arns.add(arn);
    }
    const out: RawTask[] = [];
    for (const batch of chunks([...arns], DESCRIBE_LIMITS.tasks)) {
      const answer = await this.call("DescribeTasks", () =>
        this.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch, include: ["TAGS"] }), { abortSignal: signal }),
      );
      out.push(...this.parsed("DescribeTasks", () => parseAll(RawTaskSchema, answer.tasks, "task")));
    }
    return out;
  }

  /** One task, by ID or ARN; one ECS does not know (a failure, reason MISSING) is a not-found error naming it. */
  async describeTask(cluster: string, task: string, signal?: AbortSignal): Promise<RawTask> {
    const answer = await this.call("DescribeTasks", () =>
      this.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task] }), { abortSignal: signal }),
    );
    const failure = answer.failures?.[0];
    if (failure) {
      const said = `DescribeTasks: task ${failure.arn ?? task} ${failure.reason ?? "failed"}${failure.detail ? ` (${failure.detail})` : ""}`;
      throw new AdapterError(failure.reason === "MISSING" ? "not-found" : "upstream", said);
    }
    const [parsed] = this.parsed("DescribeTasks", () => parseAll(RawTaskSchema, answer.tasks, "task"));
    if (!parsed) throw new AdapterError("not-found", `DescribeTasks: task ${task} MISSING`);
    return parsed;
  }

  /** One task definition revision, by ARN (for its volumes). */
  async taskDefinition(arn: string, signal?: AbortSignal): Promise<RawTaskDefinition> {
    const answer = await this.call("DescribeTaskDefinition", () =>
      this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal: signal }),
    );
    const [parsed] = this.parsed("DescribeTaskDefinition", () =>
      parseAll(RawTaskDefinitionSchema, answer.taskDefinition ? [answer.taskDefinition] : [], "task definition"),
    );
    if (!parsed) throw new AdapterError("upstream", "DescribeTaskDefinition: the answer has no task definition");
    return parsed;
  }

  async updateDesiredCount(cluster: string, service: string, desiredCount: number, signal?: AbortSignal): Promise<RawService> {
    const answer = await this.call("UpdateService", () =>
      this.ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount }), { abortSignal: signal }),
    );
    const [parsed] = this.parsed("UpdateService", () => parseAll(RawServiceSchema, answer.service ? [answer.service] : [], "service"));
    if (!parsed) throw new AdapterError("upstream", "UpdateService: the answer has no service");
    return parsed;
  }

  /** GetMetricData in batches of 500 queries (AWS's limit), following NextToken. */
  async metricData(queries: MetricDataQuery[], start: Date, end: Date, signal?: AbortSignal): Promise<MetricDataResult[]> {
    const results: MetricDataResult[] = [];
    for (const batch of chunks(queries, 500)) {
      let nextToken: string | undefined;
      do {
        const answer = await this.call("GetMetricData", () =>
          this.cloudwatch.send(
            new GetMetricDataCommand({
              MetricDataQueries: batch,
              StartTime: start,
              EndTime: end,
              ScanBy: "TimestampDescending",
              NextToken: nextToken,
            }),
            { abortSignal: signal },
          ),
        );
        for (const result of answer.MetricDataResults ?? []) {
          const existing = results.find((r) => r.Id === result.Id);
          if (existing) {
            existing.Timestamps = [...(existing.Timestamps ?? []), ...(result.Timestamps ?? [])];
            existing.Values = [...(existing.Values ?? []), ...(result.Values ?? [])];
          } else results.push({ ...result });
        }
        nextToken = answer.NextToken;
      } while (nextToken);
    }
    return results;
  }
}
