import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { waitFor } from "@/lib/testing/recording-sink";
import { seedNomadDemo } from "./demo";
import { startNomadSim, type NomadSim } from "./server";

/** The simulator's wire behaviour, checked with plain fetch as any Nomad client would see it. */

let sim: NomadSim;
const ADMIN = { "x-nomad-token": "admin" };

beforeAll(async () => {
  sim = await startNomadSim({
    tokens: { admin: { management: true }, reader: { read: true } },
    tickMs: 40,
    heartbeatMs: 100,
    timings: { startMs: 100, startJitterMs: 0, stopMs: 50, batchRunMs: 60_000, gcMs: 60_000, restartsPerMinute: 0 },
    seed: (w) => seedNomadDemo(w),
  });
});
afterAll(() => sim.close());

const get = (path: string, headers: Record<string, string> = ADMIN) => fetch(sim.url + path, { headers });
/** How long to wait for what takes milliseconds on an idle machine: a deadline, not a speed requirement. */
const PATIENCE_MS = 15_000;

describe("simulated Nomad HTTP API", () => {
  it("answers ACL failures as Nomad does", async () => {
    const none = await get("/v1/jobs", {});
    expect(none.status).toBe(403);
    expect(await none.text()).toBe("Permission denied");
    const wrong = await get("/v1/jobs", { "x-nomad-token": "nope" });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toBe("ACL token not found");
    const reader = await get("/v1/event/stream", { "x-nomad-token": "reader" });
    expect(reader.status).toBe(403);
    expect((await get("/v1/status/leader", {})).status).toBe(200);
  });

  it("rejects another region and unknown paths", async () => {
    const other = await get("/v1/jobs?region=mars");
    expect(other.status).toBe(500);
    expect(await other.text()).toBe("No path to region");
    expect((await get("/v1/nope")).status).toBe(404);
    const job = await get("/v1/job/nope");
    expect(job.status).toBe(404);
    expect(await job.text()).toBe("job not found");
  });

  it("pages with next_token without losing or repeating items", async () => {
    const all = (await (await get("/v1/allocations?namespace=*")).json()) as { ID: string; CreateIndex: number }[];
    // nomad/alloc_endpoint.go lists by CreateIndex, then ID.
    expect(all.map((a) => a.CreateIndex)).toEqual(all.map((a) => a.CreateIndex).sort((x, y) => x - y));
    const seen: string[] = [];
    let token: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await get(`/v1/allocations?namespace=*&per_page=3${token ? `&next_token=${token}` : ""}`);
      seen.push(...((await res.json()) as { ID: string }[]).map((a) => a.ID));
      token = res.headers.get("x-nomad-nexttoken");
      if (!token) break;
      // The token is the next page's first allocation as CreateIndex.ID.
      expect(token).toMatch(/^\d+\.[0-9a-f-]{36}$/);
    }
    expect(seen).toEqual(all.map((a) => a.ID));

    const jobs = await get("/v1/jobs?namespace=*&per_page=1");
    expect(jobs.headers.get("x-nomad-nexttoken")).toMatch(/^[a-z0-9-]+\.[^.]/);
    await waitFor(
      "two storefront-web registrations",
      () => [...sim.world.services.values()].filter((r) => r.ServiceName === "storefront-web").length >= 2,
      PATIENCE_MS,
    );
    const regs = (await get("/v1/service/storefront-web?per_page=1")).headers.get("x-nomad-nexttoken") ?? "";
    expect(regs.startsWith("default._nomad-task-")).toBe(true);
  });

  it("lists node and job stubs with their optional fields only when asked", async () => {
    const plain = (await (await get("/v1/nodes")).json()) as Record<string, unknown>[];
    expect(plain[0]).not.toHaveProperty("Attributes");
    expect(plain[0]).not.toHaveProperty("NodeResources");
    expect(plain[0]).toHaveProperty("NodePool");
    const withOs = (await (await get("/v1/nodes?os=true&resources=true")).json()) as {
      Attributes: Record<string, string>;
      NodeResources: unknown;
    }[];
    expect(withOs[0]?.Attributes).toEqual({ "os.name": "ubuntu" });
    expect(withOs[0]?.NodeResources).toBeTruthy();
    const jobs = (await (await get("/v1/jobs?namespace=*")).json()) as Record<string, unknown>[];
    expect(jobs.every((j) => !("Meta" in j))).toBe(true);
    const withMeta = (await (await get("/v1/jobs?namespace=*&meta=true")).json()) as Record<string, unknown>[];
    expect(withMeta.some((j) => "Meta" in j)).toBe(true);
  });

  it("answers bad query parameters and client stats requests as Nomad's server does", async () => {
    const badWait = await get("/v1/nodes?index=1&wait=5");
    expect(badWait.status).toBe(400);
    expect(await badWait.text()).toBe("Invalid wait time");
    const badIndex = await get("/v1/nodes?index=x");
    expect(badIndex.status).toBe(400);
    expect(await badIndex.text()).toBe("Invalid index");
    expect((await get("/v1/nodes?index=1&wait=1m30s")).status).toBe(200);

    const noNode = await get("/v1/client/stats");
    expect(noNode.status).toBe(400);
    expect(await noNode.text()).toBe("No local Node and node_id not provided");
    const unknown = await get("/v1/client/stats?node_id=0000");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('Unknown node "0000"');
    const node = [...sim.world.nodes.values()][0]!;
    const stats = (await (await get(`/v1/client/stats?node_id=${node.ID}`)).json()) as {
      CPUTicksConsumed: number;
      Memory: { Used: number };
    };
    expect(stats.CPUTicksConsumed).toBeGreaterThan(0);
    expect(stats.Memory.Used).toBeGreaterThan(0);
    const noAlloc = await get("/v1/client/allocation/0000/stats");
    expect(noAlloc.status).toBe(404);
    expect(await noAlloc.text()).toBe('Unknown allocation "0000"');
  });

  it("blocks a query until its table moves past ?index=, or until ?wait= passes", async () => {
    const first = await get("/v1/jobs?namespace=*");
    const index = Number(first.headers.get("x-nomad-index"));
    expect(index).toBeGreaterThan(0);

    const started = Date.now();
    const idle = await get(`/v1/nodes?index=${sim.world.tableIndex.nodes}&wait=300ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(Number(idle.headers.get("x-nomad-index"))).toBe(sim.world.tableIndex.nodes);

    // A wait far longer than the test may run: an answer can only come from the change.
    const nodesIndex = sim.world.tableIndex.nodes;
    const subscribe = vi.spyOn(sim.world, "subscribe");
    let changed = false;
    let answeredBeforeChange: boolean | null = null;
    let moved: Response;
    try {
      const waiting = get(`/v1/nodes?index=${nodesIndex}&wait=5m`).then((res) => {
        answeredBeforeChange = !changed;
        return res;
      });
      // The server holds the query: it subscribed to the world's commits to learn of a change.
      await waitFor("the query to block", () => subscribe.mock.calls.length > 0, PATIENCE_MS);
      expect(answeredBeforeChange).toBeNull();
      changed = true;
      sim.scheduler.setNodeEligibility([...sim.world.nodes.keys()][0]!, false);
      moved = await waiting;
    } finally {
      subscribe.mockRestore();
    }
    expect(answeredBeforeChange).toBe(false);
    expect(Number(moved.headers.get("x-nomad-index"))).toBeGreaterThan(nodesIndex);
    expect(((await moved.json()) as { SchedulingEligibility: string }[]).some((n) => n.SchedulingEligibility === "ineligible")).toBe(true);
  });

  it("streams ndjson events of the asked topics, with heartbeats", async () => {
    const ac = new AbortController();
    const res = await fetch(`${sim.url}/v1/event/stream?topic=Job&namespace=*&index=${sim.world.index + 1}`, {
      headers: ADMIN,
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const lines: string[] = [];
    let buffer = "";
    const job = sim.world.job("default", "storefront")!;
    sim.scheduler.scale(job, job.TaskGroups[0]!, 4);
    // Reads until both arrived; a deadline only so a broken stream fails here rather than at the test timeout.
    const deadline = Date.now() + PATIENCE_MS;
    while (Date.now() < deadline && !(lines.some((l) => l.includes("JobRegistered")) && lines.includes("{}"))) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts.filter(Boolean));
    }
    ac.abort();
    // The stream opens with a heartbeat.
    expect(lines[0]).toBe("{}");
    const batches = lines
      .filter((l) => l !== "{}")
      .map(
        (l) =>
          JSON.parse(l) as {
            Index: number;
            Events: { Topic: string; Type: string; Payload: { Job?: { TaskGroups: { Count: number }[] } } }[];
          },
      );
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.Events.every((e) => e.Topic === "Job"))).toBe(true);
    const registered = batches.flatMap((b) => b.Events).find((e) => e.Type === "JobRegistered");
    expect(registered?.Payload.Job?.TaskGroups[0]?.Count).toBe(4);

    const bad = await get("/v1/event/stream?topic=Job:a:b");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: Job:a:b");
  });

  it("types events as Nomad's state store does", async () => {
    const types = sim.world.events.flatMap((b) => b.Events.map((e) => `${e.Topic}:${e.Type}`));
    expect(types).toContain("Allocation:PlanResult");
    expect(types).toContain("Allocation:AllocationUpdated");
    expect(types).not.toContain("Allocation:AllocationCreated");
    const service = sim.world.events.flatMap((b) => b.Events).find((e) => e.Topic === "Service");
    const reg = service?.Payload.Service as { ID: string; JobID: string; ServiceName: string } | undefined;
    expect(service?.Key).toBe(reg?.ID);
    expect(service?.FilterKeys).toEqual([reg?.JobID, reg?.ServiceName]);
  });

  it("answers scale requests with Nomad's checks and messages", async () => {
    const scale = (job: string, body: unknown, ns = "default") =>
      fetch(`${sim.url}/v1/job/${job}/scale?namespace=${ns}`, {
        method: "POST",
        headers: { ...ADMIN, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const cases: [string, unknown, string, number, string][] = [
      [
        "storefront",
        { Count: 13, Target: { Group: "web" } },
        "default",
        400,
        "group count was greater than scaling policy maximum: 13 > 12",
      ],
      ["storefront", { Count: 0, Target: { Group: "web" } }, "default", 400, "group count was less than scaling policy minimum: 0 < 1"],
      [
        "storefront",
        { Count: 2, Target: { Group: "nope" } },
        "default",
        400,
        'task group "nope" specified for scaling does not exist in job',
      ],
      ["storefront", { Count: 2, Target: {} }, "default", 400, "missing task group name for scaling action"],
      ["node-exporter", { Count: 2, Target: { Group: "exporter" } }, "platform", 400, 'jobs of type "system" can only be scaled to 1 or 0'],
      ["ghost", { Count: 2, Target: { Group: "web" } }, "default", 404, 'job "ghost" not found'],
    ];
    for (const [job, body, ns, status, message] of cases) {
      const res = await scale(job, body, ns);
      expect(res.status).toBe(status);
      expect(await res.text()).toBe(message);
    }
    const reader = await fetch(`${sim.url}/v1/job/storefront/scale`, {
      method: "POST",
      headers: { "x-nomad-token": "reader" },
      body: JSON.stringify({ Count: 2, Target: { Group: "web" } }),
    });
    expect(reader.status).toBe(403);

    const bodies: [string | undefined, number, string][] = [
      [undefined, 400, "Request body is empty"],
      ["%%", 400, "invalid character '%' looking for beginning of value"],
      [
        JSON.stringify({ Count: 1.5, Target: { Group: "web" } }),
        400,
        "json: cannot unmarshal number 1.5 into Go struct field ScalingRequest.Count of type int64",
      ],
      [JSON.stringify({ Count: 2, Target: { Group: "web", Job: "other" } }), 400, "job ID in payload did not match URL"],
      [JSON.stringify({ Count: 2, Target: { Group: "web", Namespace: "payments" } }), 400, "namespace in payload did not match header"],
      [JSON.stringify({ Count: -1, Target: { Group: "web" } }), 400, "scaling action count can't be negative"],
    ];
    for (const [body, status, message] of bodies) {
      const res = await fetch(`${sim.url}/v1/job/storefront/scale`, { method: "POST", headers: ADMIN, body });
      expect(res.status).toBe(status);
      expect(await res.text()).toBe(message);
    }

    const ok = await scale("storefront", { Count: 2, Target: { Group: "api" }, Message: "test" });
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as {
      EvalID: string;
      EvalCreateIndex: number;
      JobModifyIndex: number;
      Index: number;
      KnownLeader: boolean;
    };
    expect(answer.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    // Job.Scale writes the job, then the evaluation, then the scaling event, whose index the answer and its header carry.
    expect(answer.JobModifyIndex).toBeLessThan(answer.EvalCreateIndex);
    expect(answer.EvalCreateIndex).toBeLessThan(answer.Index);
    expect(Number(ok.headers.get("x-nomad-index"))).toBe(answer.Index);
    expect(ok.headers.get("x-nomad-knownleader")).toBeNull();
  });

  it("serves deployments as Nomad's deployment endpoints do", async () => {
    type Deployment = { ID: string; JobID: string; JobVersion: number; CreateIndex: number; Status: string };
    const edge = sim.world.job("platform", "edge-proxy")!;
    sim.scheduler.updateJob(edge, (j) => (j.TaskGroups[0]!.Tasks[0]!.Config.image = "envoyproxy/envoy:v1.31.3"));
    const ledger = sim.world.job("payments", "ledger")!;
    sim.scheduler.updateJob(ledger, (j) => (j.Meta = { ...j.Meta, release: "5.0.4" }));

    // nomad/deployment_endpoint.go lists by CreateIndex, then ID, with tokens CreateIndex.ID.
    const all = (await (await get("/v1/deployments?namespace=*")).json()) as Deployment[];
    expect(all.map((d) => [d.JobID, d.JobVersion, d.Status])).toEqual([
      ["edge-proxy", 1, "running"],
      ["ledger", 1, "running"],
    ]);
    const first = await get("/v1/deployments?namespace=*&per_page=1");
    expect(first.headers.get("x-nomad-nexttoken")).toBe(`${all[1]!.CreateIndex}.${all[1]!.ID}`);
    expect(await (await get("/v1/deployments")).json()).toEqual([]);

    // A job's latest deployment, or null when it has none.
    expect(await (await get("/v1/job/edge-proxy/deployment?namespace=platform")).json()).toMatchObject({
      ID: all[0]!.ID,
      TaskGroups: { proxy: { DesiredTotal: 1, HealthyAllocs: 0 } },
    });
    expect(await (await get("/v1/job/storefront/deployment")).json()).toBeNull();
    expect(await (await get("/v1/job/ledger/deployments?namespace=payments")).json()).toHaveLength(1);
    expect(await (await get(`/v1/deployment/${all[1]!.ID}`)).json()).toMatchObject({ JobID: "ledger" });
    const missing = await get("/v1/deployment/nope");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("deployment not found");

    // Deployment events are keyed by the deployment, filterable by its job; the plan that creates one types it.
    const created = sim.world.events.flatMap((b) => b.Events).find((e) => e.Topic === "Deployment" && e.Key === all[0]!.ID);
    expect(created).toMatchObject({ Type: "PlanResult", Namespace: "platform", FilterKeys: ["edge-proxy"] });
    // The allocation stub has the deployment's verdict and the replacement's ID.
    const allocs = (await (await get("/v1/allocations?namespace=platform")).json()) as Record<string, unknown>[];
    expect(allocs[0]).toHaveProperty("DeploymentStatus");
    expect(allocs[0]).toHaveProperty("NextAllocation");
  });

  it("reads one allocation in full: the job it was placed under, its task states and their events", async () => {
    type Event = { Type: string; Time: number; DisplayMessage: string; Details: Record<string, string>; ExitCode: number };
    type Alloc = {
      ID: string;
      Namespace: string;
      JobVersion: number;
      Job: { ID: string; Version: number; TaskGroups: { Tasks: { Config: { image?: string } }[] }[] };
      TaskStates: Record<string, { State: string; Events: Event[] }>;
    };
    // Placed before the update in the test above; in the platform namespace, which the path needs no parameter for.
    const before = await waitFor("an edge-proxy allocation of version 0", () =>
      [...sim.world.allocs.values()].find((a) => a.JobID === "edge-proxy" && a.JobVersion === 0),
    );
    const res = await get(`/v1/allocation/${before.ID}`);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("x-nomad-index"))).toBe(before.ModifyIndex);
    const alloc = (await res.json()) as Alloc;
    expect(alloc).toMatchObject({ ID: before.ID, Namespace: "platform", JobVersion: 0, Job: { ID: "edge-proxy", Version: 0 } });
    expect(alloc.Job.TaskGroups[0]!.Tasks[0]!.Config.image).not.toBe("envoyproxy/envoy:v1.31.3");
    expect(alloc).not.toHaveProperty("sim");
    const events = Object.values(alloc.TaskStates).flatMap((state) => state.Events);
    expect(events.slice(0, 2).map((e) => [e.Type, e.DisplayMessage])).toEqual([
      ["Received", "Task received by client"],
      ["Task Setup", "Building Task Directory"],
    ]);
    // structs.TaskEvent: Details always, the older flat fields beside them, Time in nanoseconds.
    for (const e of events)
      expect(e).toMatchObject({ Details: expect.any(Object), ExitCode: expect.any(Number), Time: expect.any(Number) });
    expect(events[0]!.Time).toBeGreaterThan(1e18);

    const missing = await get("/v1/allocation/5f0d1c1e-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("alloc not found");
  });
});
