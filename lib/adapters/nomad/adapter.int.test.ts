import { afterEach, describe, expect, it } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import { createLogger } from "@/lib/log";
import { RecordingSink, waitFor } from "@/lib/testing/recording-sink";
import { addClient, addJob, seedNomadDemo, startNomadSim, type NomadSim, type NomadSimOptions } from "@/lib/sim/nomad";
import { NomadAdapter } from "./adapter";
import { NomadConnectionSchema, type NomadConnection } from "./connection";
import { adapterModule } from "./index";
import type { NomadTimings } from "./timings";

const FAST: Partial<NomadSimOptions> = {
  tickMs: 40,
  heartbeatMs: 200,
  timings: { startMs: 200, startJitterMs: 0, stopMs: 100, batchRunMs: 60_000, gcMs: 60_000, restartsPerMinute: 0 },
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(options: NomadSimOptions = {}): Promise<NomadSim> {
  const s = await startNomadSim({ ...FAST, seed: (w) => seedNomadDemo(w), ...options });
  cleanups.push(() => s.close());
  return s;
}

const context = () => ({ clusterId: "nomad-test", log: createLogger("nomad-test"), secrets: new SecretSet(), env: {} });

function adapter(connection: NomadConnection, timings: Partial<NomadTimings> = {}): NomadAdapter {
  const fast: Partial<NomadTimings> = { backoff: { baseMs: 50, maxMs: 400 }, streamIdleMs: 2000, blockingWaitMs: 5000 };
  return new NomadAdapter(NomadConnectionSchema.parse(connection), context(), { ...fast, ...timings });
}

function run(a: NomadAdapter, sink: RecordingSink) {
  const ac = new AbortController();
  const done = a.run(sink, ac.signal);
  cleanups.push(async () => {
    ac.abort();
    await done;
  });
  return done;
}

const WEB = "default~storefront~web";
const running = (sink: RecordingSink, workloadId: string) =>
  sink.tasksOf(workloadId).filter((t) => t.state === "running" && t.ready).length;

describe("Nomad adapter against the simulator", () => {
  it("lists clients, task groups, allocations (and queued work) and services, consistently", async () => {
    const s = await sim();
    const sink = new RecordingSink();
    void run(adapter({ address: s.url }), sink);
    await waitFor("the first list", () => sink.connection?.status === "ok");
    expect(sink.connection).toEqual({ status: "ok", reason: null, version: "1.9.3" });

    expect(sink.items.nodes.size).toBe(s.world.nodes.size);
    const big = sink.list("nodes").find((n) => n.name === "fra1-compute-1");
    // 16 cores × 2450 MHz → 16000 m; 64 GiB; less 500 MHz and 512 MiB reserved.
    expect(big?.capacity).toEqual({ cpuMillis: 16000, memoryBytes: 64 * 1024 ** 3 });
    expect(big?.allocatable).toEqual({ cpuMillis: 15796, memoryBytes: 64 * 1024 ** 3 - 512 * 1024 ** 2 });
    expect(big?.labels["meta.rack"]).toBe("f4");

    const workloads = sink.list("workloads");
    expect(workloads.map((w) => w.id).sort()).toEqual(
      [
        "default~catalog-sync~sync",
        "default~nightly-report~build",
        "default~storefront~api",
        WEB,
        "payments~ledger~reconciler",
        "payments~ledger~worker",
        "platform~edge-proxy~proxy",
        "platform~node-exporter~exporter",
      ].sort(),
    );
    expect(sink.items.workloads.get("platform~node-exporter~exporter")).toMatchObject({ scalable: false, desired: 4 });
    expect(sink.items.workloads.get("default~nightly-report~build")?.scalable).toBe(false);

    const workloadIds = new Set(workloads.map((w) => w.id));
    const nodeIds = new Set(sink.items.nodes.keys());
    const tasks = sink.list("tasks");
    expect(tasks.length).toBe(s.world.allocs.size + 1); // plus the queued reconciler
    for (const t of tasks) {
      expect(workloadIds.has(t.workloadId ?? "")).toBe(true);
      if (t.node !== null) expect(nodeIds.has(t.node)).toBe(true);
    }
    const queued = tasks.find((t) => t.workloadId === "payments~ledger~reconciler");
    expect(queued).toMatchObject({ state: "pending", node: null });
    // 72 GiB fits no fra1 client; the edge client is in another node pool.
    expect(queued?.stateReason).toBe("Queued: memory exhausted on 1 node (1 node evaluated)");
    // The group says so too: counts from the job summary, the placement failure as a dated warning.
    const reconciler = sink.items.workloads.get("payments~ledger~reconciler");
    expect(reconciler?.info).toMatchObject({ "Job type": "service", Allocations: "0 running, 1 queued, 0 failed" });
    expect(reconciler?.events).toEqual([
      {
        at: expect.any(String),
        level: "warning",
        message: "Placement failed for 1 allocation: memory exhausted on 1 node (1 node evaluated)",
      },
    ]);

    // Nomad registers native services once allocations run; the Consul one is declared by the job.
    expect(sink.items.services.get("consul~default~storefront-api-grpc")).toMatchObject({
      type: "consul",
      readyEndpoints: null,
      ports: [{ port: 9090 }],
    });
    await waitFor("all web registrations", () => sink.items.services.get("nomad~default~storefront-web")?.readyEndpoints === 3);
    await waitFor("every service", () => sink.items.services.size === 5);
    expect([...sink.items.services.keys()].sort()).toEqual(
      [
        "consul~default~storefront-api-grpc",
        "nomad~default~storefront-api",
        "nomad~default~storefront-web",
        "nomad~platform~edge-proxy",
        "nomad~platform~node-exporter",
      ].sort(),
    );
    expect(sink.items.services.get("nomad~platform~node-exporter")).toMatchObject({ readyEndpoints: 4, ports: [{ port: 9100 }] });
  });

  it("reads every page of a paged list", async () => {
    const s = await sim();
    // The simulator pages as Nomad does.
    const res = await fetch(`${s.url}/v1/allocations?namespace=*&per_page=2`);
    expect(res.headers.get("x-nomad-nexttoken")).toBeTruthy();
    expect(((await res.json()) as unknown[]).length).toBe(2);

    const sink = new RecordingSink();
    void run(adapter({ address: s.url }, { pageSize: 2 }), sink);
    await waitFor("the first list", () => sink.connection?.status === "ok");
    expect(sink.list("tasks").filter((t) => t.node !== null).length).toBe(s.world.allocs.size);
    expect(sink.items.nodes.size).toBe(4);
  });

  it("reports a missing token and a wrong one, and a token that may read but not scale", async () => {
    const s = await sim({
      tokens: { "reader-secret": { read: true, services: true, stream: true }, "admin-secret": { management: true } },
    });

    const missing = new RecordingSink();
    void run(adapter({ address: s.url }), missing);
    await waitFor("the missing-token state", () => missing.connection !== null);
    // Nomad answers an anonymous request with "Permission denied", as for a token lacking a capability: it answers, so degraded.
    expect(missing.connection).toMatchObject({ status: "degraded" });
    expect(missing.connection?.reason).toContain("Permission denied");
    expect(missing.items.nodes.size).toBe(0);

    const wrong = new RecordingSink();
    void run(adapter({ address: s.url, token: "not-a-token" }), wrong);
    await waitFor("the wrong-token state", () => wrong.connection !== null);
    // A token Nomad does not know cuts Fleetdeck off: its credentials are refused.
    expect(wrong.connection).toMatchObject({ status: "unauthorized" });
    expect(wrong.connection?.reason).toContain("ACL token not found");
    expect(JSON.stringify(wrong.connections)).not.toContain("not-a-token");

    const reader = adapter({ address: s.url, token: "reader-secret" });
    const sink = new RecordingSink();
    void run(reader, sink);
    await waitFor("the reader's list", () => sink.connection?.status === "ok");
    // Without agent:read the version is unknown, not an error.
    expect(sink.connection?.version).toBeNull();
    const refused = await reader.scale(WEB, 4).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AdapterError);
    expect(refused).toMatchObject({ code: "forbidden" });
    expect((refused as Error).message).toContain("Permission denied");
  });

  it("scales a group round trip, surfaces Nomad's own errors, and follows the event stream", async () => {
    const s = await sim();
    const a = adapter({ address: s.url }, { resyncMs: 600_000 });
    const sink = new RecordingSink();
    void run(a, sink);
    await waitFor("web running", () => running(sink, WEB) === 3);
    const replacesBefore = sink.counts.replace;

    const updated = await a.scale(WEB, 5, undefined, { name: "alice@example.com", groups: [], anonymous: false });
    expect(updated).toMatchObject({ id: WEB, desired: 5, scalable: true });
    expect(s.world.job("default", "storefront")?.TaskGroups[0]?.Count).toBe(5);
    const status = (await (await fetch(`${s.url}/v1/job/storefront/scale`)).json()) as {
      TaskGroups: Record<string, { Events: { Message: string }[] }>;
    };
    expect(status.TaskGroups.web?.Events[0]?.Message).toBe("Scaled to 5 by alice@example.com from Fleetdeck");

    await waitFor("five running web allocations", () => running(sink, WEB) === 5 && sink.items.workloads.get(WEB)?.ready === 5);
    await waitFor("five web registrations", () => sink.items.services.get("nomad~default~storefront-web")?.readyEndpoints === 5);
    // Only events carried that: no relist happened.
    expect(sink.counts.replace).toBe(replacesBefore);
    expect(sink.counts.upsert).toBeGreaterThan(0);

    await a.scale(WEB, 2);
    await waitFor("web back to two", () => running(sink, WEB) === 2 && sink.items.workloads.get(WEB)?.ready === 2);

    const tooMany = await a.scale(WEB, 13).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: "invalid" });
    expect((tooMany as Error).message).toContain("group count was greater than scaling policy maximum: 13 > 12");
    const system = await a.scale("platform~node-exporter~exporter", 2).catch((e: unknown) => e);
    expect(system).toMatchObject({ code: "invalid" });
    expect((system as Error).message).toMatch(/^A system job runs one allocation per eligible client/);
    const missing = await a.scale("default~no-such-job~web", 1).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "not-found" });
    expect((missing as Error).message).toContain('job "no-such-job" not found');
    // An id that names no task group at all is not found either, before any request.
    const malformed = await a.scale("storefront-web", 1).catch((e: unknown) => e);
    expect(malformed).toMatchObject({ code: "not-found" });
  });

  it("follows a stopped job and a purged one through the event stream", async () => {
    const s = await sim();
    const sink = new RecordingSink();
    void run(adapter({ address: s.url }, { resyncMs: 600_000 }), sink);
    await waitFor("web running", () => running(sink, WEB) === 3);
    const replacesBefore = sink.counts.replace;

    expect((await fetch(`${s.url}/v1/job/storefront`, { method: "DELETE" })).status).toBe(200);
    await waitFor("storefront stopped", () => sink.items.workloads.get(WEB)?.desired === 0 && running(sink, WEB) === 0);
    expect(sink.items.workloads.get(WEB)).toMatchObject({
      scalable: false,
      notScalableReason: "The job is stopped; start it again before scaling.",
    });

    expect((await fetch(`${s.url}/v1/job/ledger?namespace=payments&purge=true`, { method: "DELETE" })).status).toBe(200);
    await waitFor(
      "ledger gone",
      () => !sink.items.workloads.has("payments~ledger~worker") && !sink.items.workloads.has("payments~ledger~reconciler"),
    );
    // Its queued stand-in goes with it.
    expect(sink.list("tasks").some((t) => t.node === null && t.workloadId?.startsWith("payments~ledger~"))).toBe(false);
    expect(sink.counts.replace).toBe(replacesBefore);
  });

  it("keeps what does not fit pending, with the reason, until room appears", async () => {
    const s = await sim({
      seed: (w) => {
        addClient(w, { name: "small", datacenter: "dc1", cores: 2, mhzPerCore: 2000, memoryGiB: 2, reservedMhz: 0, reservedMemoryMB: 0 });
        addJob(w, {
          id: "api",
          datacenters: ["dc1"],
          groups: [{ name: "app", count: 1, tasks: [{ name: "app", image: "app:1", cpu: 500, memoryMB: 768 }] }],
        });
      },
    });
    const a = adapter({ address: s.url });
    const sink = new RecordingSink();
    void run(a, sink);
    await waitFor("one running", () => running(sink, "default~api~app") === 1);
    await a.scale("default~api~app", 4);
    await waitFor("two running and two queued", () => {
      const tasks = sink.tasksOf("default~api~app");
      return (
        tasks.filter((t) => t.state === "running").length === 2 &&
        tasks.filter((t) => t.state === "pending" && t.node === null).length === 2
      );
    });
    const queued = sink.list("tasks").find((t) => t.node === null);
    expect(queued?.stateReason).toBe("Queued: memory exhausted on 1 node (1 node evaluated)");
    // Every running allocation fits its node.
    const node = sink.list("nodes")[0]!;
    const reserved = sink
      .list("tasks")
      .filter((t) => t.node === node.id && t.state === "running")
      .reduce((m, t) => m + t.requests.memoryBytes, 0);
    expect(reserved).toBeLessThanOrEqual(node.allocatable.memoryBytes);

    addClient(s.world, {
      name: "second",
      datacenter: "dc1",
      cores: 4,
      mhzPerCore: 2000,
      memoryGiB: 4,
      reservedMhz: 0,
      reservedMemoryMB: 0,
    });
    await waitFor("all four running", () => running(sink, "default~api~app") === 4 && !sink.list("tasks").some((t) => t.node === null));
    expect(sink.items.nodes.size).toBe(2);
  });

  it("counts in a group's summary what its allocations did while the lists were read", async () => {
    // The simulator moves only when told to, and the allocation list waits:
    // the job's summary is read before the change, the allocations after it.
    const s = await sim({
      tickMs: 2 ** 31 - 1,
      seed: (w) => {
        addClient(w, { name: "one", datacenter: "dc1", cores: 2, mhzPerCore: 2000, memoryGiB: 2 });
        addJob(w, {
          id: "api",
          datacenters: ["dc1"],
          groups: [{ name: "app", count: 1, tasks: [{ name: "app", image: "app:1", cpu: 500, memoryMB: 256 }] }],
        });
      },
    });
    s.faults.set({ latencyMs: 2000, paths: "^/v1/allocations$" });
    const sink = new RecordingSink();
    void run(adapter({ address: s.url }, { resyncMs: 600_000 }), sink);
    await waitFor("the allocation list asked for", () => s.faults.requestsSeen > 0);
    const now = Date.now();
    for (let t = now; t <= now + 1000; t += 100) s.scheduler.tick(t);
    await waitFor("the allocation running", () => running(sink, "default~api~app") === 1);
    // The list showed the allocation running; its events, older than the list, still move the summary read before it.
    await waitFor("the group ready", () => sink.items.workloads.get("default~api~app")?.ready === 1);
  });

  it("follows with blocking queries when the token may not read the event stream", async () => {
    const s = await sim({ tokens: { "no-stream": { read: true, services: true, scale: true } } });
    const a = adapter({ address: s.url, token: "no-stream" }, { resyncMs: 600_000 });
    const sink = new RecordingSink();
    void run(a, sink);
    await waitFor("web running", () => running(sink, WEB) === 3);
    await a.scale(WEB, 4);
    await waitFor("four running via blocking queries", () => running(sink, WEB) === 4 && sink.items.workloads.get(WEB)?.ready === 4);
    expect(sink.connection?.status).toBe("ok");
    // Node changes come through the nodes query.
    s.scheduler.setNodeEligibility([...s.world.nodes.values()][0]!.ID, false);
    await waitFor("an ineligible node", () =>
      sink.list("nodes").some((n) => !n.schedulable && n.statusReason === "ineligible for scheduling"),
    );
  });

  it("keeps the rest of the cluster, degraded, when the token may not read services", async () => {
    const s = await sim({ tokens: { "jobs-only": { read: true } } });
    const sink = new RecordingSink();
    const done = run(adapter({ address: s.url, token: "jobs-only" }, { resyncMs: 600_000 }), sink);
    await waitFor("the degraded state", () => sink.connection?.status === "degraded");
    expect(sink.connection?.reason).toContain("cannot list Nomad services");
    expect(sink.items.nodes.size).toBe(4);
    await waitFor("web running", () => running(sink, WEB) === 3);
    // The run ends promptly on abort even with a follow loop parked on the refused services query.
    const ac = cleanups.pop()!;
    await Promise.race([ac(), new Promise((_, reject) => setTimeout(() => reject(new Error("run did not end on abort")), 3000))]);
    await done;
  });

  it("forced blocking queries see changes made behind its back", async () => {
    const s = await sim();
    const sink = new RecordingSink();
    void run(adapter({ address: s.url, eventStream: false }, { resyncMs: 600_000 }), sink);
    await waitFor("web running", () => running(sink, WEB) === 3);
    const job = s.world.job("default", "storefront")!;
    s.scheduler.scale(job, job.TaskGroups[0]!, 1);
    await waitFor("one running", () => running(sink, WEB) === 1 && sink.items.workloads.get(WEB)?.desired === 1);
  });

  it("rides out a simulator restart: unreachable, then relisted with what changed meanwhile", async () => {
    const s = await sim();
    const sink = new RecordingSink();
    void run(adapter({ address: s.url }, { resyncMs: 600_000 }), sink);
    await waitFor("web running", () => running(sink, WEB) === 3);

    const restart = s.restart(600);
    await waitFor("the outage to show", () => sink.connection?.status === "unreachable");
    expect(sink.connection?.reason).toBeTruthy();
    // A change the adapter cannot hear about: only the relist after reconnecting brings it.
    const job = s.world.job("default", "storefront")!;
    s.scheduler.scale(job, job.TaskGroups[0]!, 4);
    await restart;
    await waitFor("ok again", () => sink.connection?.status === "ok");
    // Lists and following recover together: no passing state between.
    const outage = sink.connections.findLastIndex((c) => c.status === "unreachable");
    expect(sink.connections.slice(outage).map((c) => c.status)).toEqual(["unreachable", "ok"]);
    await waitFor("four running after the restart", () => running(sink, WEB) === 4 && sink.items.workloads.get(WEB)?.desired === 4);
  });

  it("samples live use per client and per allocation in model units", async () => {
    const s = await sim();
    const a = adapterModule.create({ address: s.url }, context()) as NomadAdapter;
    const sink = new RecordingSink();
    void run(a, sink);
    await waitFor("web running", () => running(sink, WEB) === 3);
    const sample = await a.sampleUsage();
    expect(sample).not.toBeNull();
    expect(new Set(sample!.nodes.keys())).toEqual(new Set(sink.items.nodes.keys()));
    for (const [id, use] of sample!.nodes) {
      const node = sink.items.nodes.get(id)!;
      expect(use.cpuMillis).toBeGreaterThan(0);
      expect(use.cpuMillis).toBeLessThanOrEqual(node.capacity.cpuMillis);
      expect(use.memoryBytes).toBeGreaterThan(0);
      expect(use.memoryBytes).toBeLessThanOrEqual(node.capacity.memoryBytes);
    }
    const webTask = sink.list("tasks").find((t) => t.workloadId === WEB && t.state === "running")!;
    const use = sample!.tasks.get(webTask.id);
    // nginx reserves 500 MHz and 256 MiB: it uses a fraction of that (CPU may burst).
    expect(use?.cpuMillis).toBeGreaterThan(0);
    expect(use?.cpuMillis).toBeLessThan(webTask.requests.cpuMillis * 1.2);
    expect(use?.memoryBytes).toBeGreaterThan(0);
    expect(use?.memoryBytes).toBeLessThan(webTask.requests.memoryBytes);
  });

  it("names in the sample what could not be measured, and fails when nothing could", async () => {
    const s = await sim();
    const a = adapter({ address: s.url }, { resyncMs: 600_000 });
    const sink = new RecordingSink();
    void run(a, sink);
    await waitFor("web running", () => running(sink, WEB) === 3);
    // An allocation the adapter still takes to run, but that its client no longer knows.
    const gone = sink.list("tasks").find((t) => t.workloadId === WEB && t.state === "running")!;
    s.world.allocs.delete(gone.id);
    const sample = await a.sampleUsage();
    expect(sample.tasks.has(gone.id)).toBe(false);
    expect(sample.unavailable.tasks.get(gone.id)).toMatch(/^cannot read allocation stats: Unknown allocation/);
    expect(sample.nodes.size).toBe(sink.items.nodes.size);
    expect(sample.unavailable.nodes.size).toBe(0);

    await s.close();
    const failed = await a.sampleUsage().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AdapterError);
    expect(failed).toMatchObject({ code: "unreachable" });
    expect((failed as Error).message).toMatch(/^no Nomad usage could be read/);
  });
});
