import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AdapterError } from "@/lib/adapters/errors";
import { SecretSet } from "@/lib/adapters/secrets";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { MesosAdapter } from "./adapter";
import type { MesosConnection } from "./connection";
import { AGENT_STATISTICS, MASTER_STATE } from "./fixtures";
import { nodeIdOf, taskIdOf } from "./mappers";

/**
 * Live use when some agents cannot be read: a master (MASTER_STATE with its two
 * active agents' pids pointed here) in front of one agent that answers
 * /monitor/statistics, its CPU counter moving between rounds, and one whose
 * port refuses connections.
 */

const [S0, S1] = MASTER_STATE.slaves;
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An address nothing listens on. */
async function closedAddress(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

const json = (res: http.ServerResponse, body: unknown) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

async function liveAgent(): Promise<string> {
  let round = 0;
  return serve((_req, res) => {
    round++;
    const [entry] = AGENT_STATISTICS;
    const statistics = {
      ...entry.statistics,
      timestamp: entry.statistics.timestamp + round,
      cpus_user_time_secs: entry.statistics.cpus_user_time_secs + round / 2,
    };
    json(res, [{ ...entry, statistics }]);
  });
}

async function master(agents: { s0: string; s1: string }): Promise<string> {
  const state = structuredClone(MASTER_STATE);
  state.slaves[0].pid = `slave(1)@${agents.s0}`;
  state.slaves[1].pid = `slave(1)@${agents.s1}`;
  return serve((_req, res) => json(res, state));
}

function adapter(connection: MesosConnection): MesosAdapter {
  const context = { clusterId: "mesos-usage", log: memoryLogger(), secrets: new SecretSet(), env: {} };
  return new MesosAdapter(connection, context, { usagePrimeMs: 10, requestTimeoutMs: 2_000 });
}

describe("Mesos usage when agents cannot be read", () => {
  it("measures the agents that answer and names the others, with their tasks, as unavailable", async () => {
    const masterAddress = await master({ s0: await liveAgent(), s1: await closedAddress() });
    const sample = (await adapter({ master: { url: `http://${masterAddress}` } }).sampleUsage())!;
    const [webTask] = MASTER_STATE.frameworks[0].tasks;
    expect(sample.nodes.get(nodeIdOf(S0.id))?.memoryBytes).toBe(AGENT_STATISTICS[0].statistics.mem_rss_bytes);
    expect(sample.tasks.get(taskIdOf(webTask.id))?.cpuMillis).toBeCloseTo(500, 6);
    expect(sample.nodes.has(nodeIdOf(S1.id))).toBe(false);
    expect(sample.unavailable.nodes.get(nodeIdOf(S1.id))).toMatch(
      /^the agent's statistics could not be read: Mesos agent http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/,
    );
    // Spark's two tasks run on the unreadable agent.
    const sparkTasks = MASTER_STATE.frameworks[1].tasks.map((t) => taskIdOf(t.id));
    expect([...sample.unavailable.tasks.keys()].sort()).toEqual(sparkTasks.sort());
  });

  it("fails when no agent could be read, rather than answering an empty sample", async () => {
    const masterAddress = await master({ s0: await closedAddress(), s1: await closedAddress() });
    const err = await adapter({ master: { url: `http://${masterAddress}` } })
      .sampleUsage()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({ code: "unreachable" });
  });

  it("has no usage source without a master", async () => {
    expect(await adapter({ marathon: { url: "http://127.0.0.1:1" } }).sampleUsage()).toBeNull();
  });
});
