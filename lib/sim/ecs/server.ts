import http from "node:http";
import type { AddressInfo } from "node:net";
import { FaultInjector, type FaultProtocol } from "../faults";
import { ECS_OPERATIONS } from "./ecs-api";
import { SimAwsError, accessDenied } from "./errors";
import { getMetricData } from "./metrics";
import { EcsScheduler } from "./scheduler";
import { DEFAULT_TIMINGS, EcsWorld, type SimTimings } from "./state";

/**
 * HTTP front of the ECS simulator: AWS JSON 1.1 for ECS
 * (`X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`) and AWS JSON 1.0
 * for CloudWatch (`GraniteServiceVersion20100801.<Op>`, which is what
 * @aws-sdk/client-cloudwatch 3.11xx sends), both on POST /. Any well-formed
 * SigV4 Authorization header is accepted, as local AWS emulators do.
 */

const ECS_TARGET = "AmazonEC2ContainerServiceV20141113";
const CLOUDWATCH_TARGET = "GraniteServiceVersion20100801";
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=[^/\s,]+\/\d{8}\/[a-z0-9-]+\/[a-z0-9-]+\/aws4_request, ?SignedHeaders=[a-z0-9;.-]+, ?Signature=[0-9a-f]{64}$/;

/**
 * CloudWatch is awsQueryCompatible: beside the JSON `__type` it names errors by
 * their old query-protocol codes in x-amzn-query-error, "Code;Sender|Receiver"
 * (the `awsQueryError` codes of @aws-sdk/client-cloudwatch's model), which the
 * SDK prefers. Throttling and AccessDenied come from AWS's request layer and
 * are not in CloudWatch's model.
 */
const QUERY_ERROR_CODES: Record<string, string> = {
  ThrottlingException: "Throttling;Sender",
  AccessDeniedException: "AccessDenied;Sender",
  InvalidParameterValueException: "InvalidParameterValue;Sender",
  MissingRequiredParameterException: "MissingParameter;Sender",
  InvalidNextToken: "InvalidNextToken;Sender",
  InternalServiceFault: "InternalServiceError;Receiver",
};

/** CloudWatch's own (modeled) errors carry its Smithy namespace in `__type`. */
const CLOUDWATCH_MODELED = new Set([
  "InvalidParameterValueException",
  "MissingRequiredParameterException",
  "InvalidNextToken",
  "InternalServiceFault",
]);

/** AWS's request layer answers these before any service code runs; the SDK reads x-amzn-errortype. */
const AWS_TRANSPORT_ERRORS: Record<number, string> = { 429: "ThrottlingException", 500: "InternalFailure", 503: "ServiceUnavailable" };
const AWS_JSON_PROTOCOL: FaultProtocol = {
  contentType: "application/x-amz-json-1.1",
  errorAnswer: (status, message) => {
    const type = AWS_TRANSPORT_ERRORS[status] ?? "InternalFailure";
    return {
      contentType: "application/x-amz-json-1.1",
      body: JSON.stringify({ __type: type, message }),
      headers: { "x-amzn-errortype": type, "x-amzn-requestid": crypto.randomUUID() },
    };
  },
};

export interface SimRequest {
  service: "ecs" | "cloudwatch";
  operation: string;
  at: number;
  status: number;
  errorType?: string;
}

/** Test hooks: faults injected per operation, checked before the operation runs. */
export class SimFaults {
  private throttleLeft = 0;
  private throttleOps: Set<string> | null = null;
  private failures: { error: SimAwsError; left: number; operations: Set<string> | null }[] = [];
  private readonly denied = new Set<string>();
  /** Services whose metrics have no datapoints (a CloudWatch gap). */
  readonly metricGaps = new Set<string>();
  /** GetMetricData pages after this many datapoints when the request sets no MaxDatapoints (null: CloudWatch's 100,800). */
  metricPageSize: number | null = null;
  /** At most this many requests per second, answering ThrottlingException beyond it (null: no limit). */
  rateLimitPerSecond: number | null = null;
  private windowStart = 0;
  private windowCount = 0;

  /** The next `count` requests (of `operations`, or any) answer ThrottlingException. */
  throttle(count: number, operations?: string[]): void {
    this.throttleLeft = count;
    this.throttleOps = operations ? new Set(operations) : null;
  }

  /** The next `count` requests (of `operations`, or any) answer `error` as it is. */
  fail(error: SimAwsError, count = 1, operations?: string[]): void {
    this.failures.push({ error, left: count, operations: operations ? new Set(operations) : null });
  }

  /** `operation` answers AccessDeniedException until allow() is called. */
  deny(operation: string): void {
    this.denied.add(operation);
  }

  allow(operation: string): void {
    this.denied.delete(operation);
  }

  check(service: string, operation: string, now: number): SimAwsError | null {
    const planned = this.failures.find((f) => f.left > 0 && (!f.operations || f.operations.has(operation)));
    if (planned) {
      planned.left -= 1;
      this.failures = this.failures.filter((f) => f.left > 0);
      return planned.error;
    }
    if (this.denied.has(operation)) {
      return accessDenied(
        `User: arn:aws:iam::123456789012:user/fleetdeck is not authorized to perform: ${service === "ecs" ? "ecs" : "cloudwatch"}:${operation} because no identity-based policy allows the ${service === "ecs" ? "ecs" : "cloudwatch"}:${operation} action`,
      );
    }
    if (this.throttleLeft > 0 && (!this.throttleOps || this.throttleOps.has(operation))) {
      this.throttleLeft -= 1;
      return new SimAwsError("ThrottlingException", "Rate exceeded");
    }
    if (this.rateLimitPerSecond !== null) {
      if (now - this.windowStart >= 1000) {
        this.windowStart = now;
        this.windowCount = 0;
      }
      this.windowCount += 1;
      if (this.windowCount > this.rateLimitPerSecond) return new SimAwsError("ThrottlingException", "Rate exceeded");
    }
    return null;
  }
}

export interface EcsSimOptions {
  host?: string;
  port?: number;
  region?: string;
  accountId?: string;
  timings?: Partial<SimTimings>;
  /** The world's clock (tests pass a manual one to step task states deterministically). */
  now?: () => number;
  /** Fills the world before the server answers (demo content, test fixtures). */
  seed?: (world: EcsWorld) => void;
}

export interface EcsSim {
  /** http://host:port, for the SDK's `endpoint`. */
  endpoint: string;
  port: number;
  world: EcsWorld;
  scheduler: EcsScheduler;
  faults: SimFaults;
  /** Faults below the API (refused, hung, slow, 5xx, malformed), as the other simulators inject them (see lib/sim/faults.ts). */
  network: FaultInjector;
  /** Every request answered, oldest first (bounded). */
  requests: SimRequest[];
  /** Runs the scheduler now (tests use it to avoid waiting for the next tick). */
  tick(): void;
  /** Stops answering (connections refused) until start(); the world keeps its state. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startEcsSim(options: EcsSimOptions = {}): Promise<EcsSim> {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const world = new EcsWorld(options.region ?? "eu-west-1", options.accountId ?? "123456789012", timings, options.now);
  options.seed?.(world);
  const scheduler = new EcsScheduler(world);
  scheduler.tick();
  const faults = new SimFaults();
  const network = new FaultInjector();
  const requests: SimRequest[] = [];
  const host = options.host ?? "127.0.0.1";

  const record = (entry: SimRequest) => {
    requests.push(entry);
    if (requests.length > 5000) requests.splice(0, requests.length - 5000);
  };

  const answer: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const [prefix, operation = ""] = target.split(".");
      const service = prefix === CLOUDWATCH_TARGET ? "cloudwatch" : "ecs";
      const contentType = service === "cloudwatch" ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
      const send = (status: number, body: unknown, errorType?: string) => {
        const headers: Record<string, string> = { "content-type": contentType, "x-amzn-requestid": crypto.randomUUID() };
        if (errorType) {
          headers["x-amzn-errortype"] = errorType;
          if (service === "cloudwatch" && QUERY_ERROR_CODES[errorType]) headers["x-amzn-query-error"] = QUERY_ERROR_CODES[errorType];
        }
        const text = JSON.stringify(body);
        headers["content-length"] = String(Buffer.byteLength(text));
        res.writeHead(status, headers).end(text);
        record({ service, operation, at: Date.now(), status, errorType });
      };
      const fail = (err: SimAwsError) => {
        const namespaced =
          service === "cloudwatch" && !err.options.namespace && CLOUDWATCH_MODELED.has(err.type)
            ? new SimAwsError(err.type, err.message, err.status, { ...err.options, namespace: "com.amazonaws.cloudwatch" })
            : err;
        send(namespaced.status, { __type: namespaced.wireType, message: namespaced.message }, namespaced.type);
      };
      try {
        if (req.method !== "POST" || (req.url ?? "/").split("?")[0] !== "/") {
          return fail(new SimAwsError("UnknownOperationException", "Only POST / is supported.", 404));
        }
        const auth = req.headers.authorization;
        if (!auth) return fail(new SimAwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403));
        if (!SIGV4.test(auth) || !req.headers["x-amz-date"]) {
          return fail(
            new SimAwsError(
              "IncompleteSignatureException",
              "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters, and an X-Amz-Date header.",
            ),
          );
        }
        if (prefix !== ECS_TARGET && prefix !== CLOUDWATCH_TARGET)
          return fail(new SimAwsError("UnknownOperationException", `Unknown target ${target}`));
        let input: Record<string, unknown>;
        try {
          const text = Buffer.concat(chunks).toString("utf8");
          input = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("not an object");
        } catch {
          return fail(new SimAwsError("SerializationException", "Start of structure or map found where not expected."));
        }
        const fault = faults.check(service, operation, world.now());
        if (fault) return fail(fault);
        scheduler.tick();
        if (service === "cloudwatch") {
          if (operation !== "GetMetricData")
            return fail(new SimAwsError("UnknownOperationException", `${operation} is not supported by this simulator.`));
          return send(200, getMetricData(world, input, faults.metricGaps, faults.metricPageSize ?? undefined));
        }
        const handler = ECS_OPERATIONS[operation];
        if (!handler) return fail(new SimAwsError("UnknownOperationException", `${operation} is not supported by this simulator.`));
        return send(200, handler(world, input));
      } catch (err) {
        if (err instanceof SimAwsError) return fail(err);
        return fail(new SimAwsError(service === "ecs" ? "ServerException" : "InternalServiceFault", (err as Error).message, 500));
      }
    });
  };
  const server = http.createServer(network.wrap(answer, AWS_JSON_PROTOCOL));

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      if (server.listening) return resolve(port);
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const port = await listen(options.port ?? 0);
  const timer = setInterval(() => scheduler.tick(), timings.tickMs);
  timer.unref();

  return {
    endpoint: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    world,
    scheduler,
    faults,
    network,
    requests,
    tick: () => scheduler.tick(),
    stop: stopListening,
    start: async () => {
      await listen(port);
    },
    close: async () => {
      clearInterval(timer);
      await stopListening();
    },
  };
}
