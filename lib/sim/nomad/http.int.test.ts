import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    const all = (await (await get("/v1/allocations?namespace=*")).json()) as { ID: string }[];
    const seen: string[] = [];
    let token: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await get(`/v1/allocations?namespace=*&per_page=3${token ? `&next_token=${token}` : ""}`);
      seen.push(...((await res.json()) as { ID: string }[]).map((a) => a.ID));
      token = res.headers.get("x-nomad-nexttoken");
      if (!token) break;
    }
    expect(seen).toEqual(all.map((a) => a.ID).sort());
  });

  it("blocks a query until its table moves past ?index=, or until ?wait= passes", async () => {
    const first = await get("/v1/jobs?namespace=*");
    const index = Number(first.headers.get("x-nomad-index"));
    expect(index).toBeGreaterThan(0);

    const started = Date.now();
    const idle = await get(`/v1/nodes?index=${sim.world.tableIndex.nodes}&wait=300ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(Number(idle.headers.get("x-nomad-index"))).toBe(sim.world.tableIndex.nodes);

    const nodesIndex = sim.world.tableIndex.nodes;
    const waiting = get(`/v1/nodes?index=${nodesIndex}&wait=10s`);
    setTimeout(() => sim.scheduler.setNodeEligibility([...sim.world.nodes.keys()][0]!, false), 100);
    const t0 = Date.now();
    const moved = await waiting;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(Number(moved.headers.get("x-nomad-index"))).toBeGreaterThan(nodesIndex);
    expect(((await moved.json()) as { SchedulingEligibility: string }[]).some((n) => n.SchedulingEligibility === "ineligible")).toBe(true);
  });

  it("streams ndjson events of the asked topics, with heartbeats", async () => {
    const ac = new AbortController();
    const res = await fetch(`${sim.url}/v1/event/stream?topic=Job&namespace=*&index=${sim.world.index + 1}`, { headers: ADMIN, signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const lines: string[] = [];
    let buffer = "";
    const job = sim.world.job("default", "storefront")!;
    sim.scheduler.scale(job, job.TaskGroups[0]!, 4);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !(lines.some((l) => l.includes("JobRegistered")) && lines.includes("{}"))) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts.filter(Boolean));
    }
    ac.abort();
    expect(lines).toContain("{}");
    const batches = lines.filter((l) => l !== "{}").map((l) => JSON.parse(l) as { Index: number; Events: { Topic: string; Type: string; Payload: { Job?: { TaskGroups: { Count: number }[] } } }[] });
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.Events.every((e) => e.Topic === "Job"))).toBe(true);
    const registered = batches.flatMap((b) => b.Events).find((e) => e.Type === "JobRegistered");
    expect(registered?.Payload.Job?.TaskGroups[0]?.Count).toBe(4);
  });

  it("answers scale requests with Nomad's checks and messages", async () => {
    const scale = (job: string, body: unknown, ns = "default") =>
      fetch(`${sim.url}/v1/job/${job}/scale?namespace=${ns}`, { method: "POST", headers: { ...ADMIN, "content-type": "application/json" }, body: JSON.stringify(body) });
    const cases: [string, unknown, string, number, string][] = [
      ["storefront", { Count: 13, Target: { Group: "web" } }, "default", 400, "group count was greater than scaling policy maximum: 13 > 12"],
      ["storefront", { Count: 0, Target: { Group: "web" } }, "default", 400, "group count was less than scaling policy minimum: 0 < 1"],
      ["storefront", { Count: 2, Target: { Group: "nope" } }, "default", 400, 'task group "nope" specified for scaling does not exist in job'],
      ["storefront", { Count: 2, Target: {} }, "default", 400, "missing task group name for scaling action"],
      ["node-exporter", { Count: 2, Target: { Group: "exporter" } }, "platform", 400, 'jobs of type "system" can only be scaled to 1 or 0'],
      ["ghost", { Count: 2, Target: { Group: "web" } }, "default", 404, 'job "ghost" not found'],
    ];
    for (const [job, body, ns, status, message] of cases) {
      const res = await scale(job, body, ns);
      expect(res.status).toBe(status);
      expect(await res.text()).toBe(message);
    }
    const reader = await fetch(`${sim.url}/v1/job/storefront/scale`, { method: "POST", headers: { "x-nomad-token": "reader" }, body: JSON.stringify({ Count: 2, Target: { Group: "web" } }) });
    expect(reader.status).toBe(403);

    const ok = await scale("storefront", { Count: 2, Target: { Group: "api" }, Message: "test" });
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as { EvalID: string; JobModifyIndex: number };
    expect(answer.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(ok.headers.get("x-nomad-index"))).toBe(answer.JobModifyIndex);
  });
});
