import { describe, expect, it } from "vitest";
import { AdapterError, type AdapterErrorCode } from "./errors";
import { ConnectionHealth, FAILURE_REACH, statusForFailure } from "./health";
import type { ConnectionState } from "./types";

function follow(sources: string[], onRecovered?: () => void) {
  const reports: ConnectionState[] = [];
  const health = new ConnectionHealth(sources, (s) => reports.push(s), { onRecovered });
  return { health, reports };
}

const err = (code: AdapterErrorCode, message = `${code} failure`) => new AdapterError(code, message);

describe("one table of what a failure means", () => {
  it("counts no connection, no answer and refused credentials as cut off, every answer as reachable", () => {
    expect(statusForFailure(err("unreachable"))).toBe("unreachable");
    expect(statusForFailure(err("timeout"))).toBe("unreachable");
    expect(statusForFailure(err("unauthorized"))).toBe("unauthorized");
    for (const code of ["forbidden", "not-found", "invalid", "conflict", "throttled", "upstream"] as const) {
      expect(statusForFailure(err(code)), code).toBe("degraded");
    }
    // Every code has an entry: a new code cannot silently fall through.
    expect(Object.keys(FAILURE_REACH).sort()).toEqual([
      "conflict",
      "forbidden",
      "invalid",
      "not-found",
      "throttled",
      "timeout",
      "unauthorized",
      "unreachable",
      "upstream",
    ]);
  });
});

describe("ConnectionHealth", () => {
  it("says unauthorized, not unreachable, when the credentials are refused, and unreachable when nothing answers", () => {
    const { health, reports } = follow(["pods", "nodes"]);
    health.record((h) => {
      h.failed("pods", err("unauthorized", "list pods: Unauthorized"));
      h.failed("nodes", err("unauthorized", "list nodes: Unauthorized"));
    });
    expect(reports.at(-1)).toMatchObject({ status: "unauthorized" });
    health.record((h) => {
      h.failed("pods", err("unreachable", "connect ECONNREFUSED"));
      h.failed("nodes", err("timeout", "no answer in time"));
    });
    expect(reports.at(-1)).toMatchObject({ status: "unreachable" });
  });

  it("calls onRecovered when a cluster refused its credentials and answers again", () => {
    let recovered = 0;
    const { health } = follow(["pods"], () => recovered++);
    health.failed("pods", err("unauthorized", "Unauthorized"));
    health.ok("pods");
    expect(recovered).toBe(1);
  });

  it("waits for every source before saying ok or degraded", () => {
    const { health, reports } = follow(["pods", "nodes"]);
    health.ok("pods");
    health.failed("nodes", err("forbidden", "nodes is forbidden"));
    expect(reports).toEqual([{ status: "degraded", reason: "nodes is forbidden", version: null }]);
    health.ok("nodes");
    expect(reports.at(-1)).toEqual({ status: "ok", reason: null, version: null });
  });

  it("reports a total outage before every source answered, and only once", () => {
    const { health, reports } = follow(["pods", "nodes"]);
    health.failed("pods", err("unreachable", "connect ECONNREFUSED"));
    health.failed("pods", err("unreachable", "connect ECONNREFUSED"));
    expect(reports).toEqual([{ status: "unreachable", reason: "connect ECONNREFUSED", version: null }]);
  });

  it("is degraded, not unreachable, when one source is cut off and another answers", () => {
    const { health, reports } = follow(["follow", "list"]);
    health.ok("list");
    health.failed("follow", err("timeout", "stream: no answer in time"));
    expect(reports.at(-1)).toMatchObject({ status: "degraded", reason: "stream: no answer in time" });
  });

  it("turns a warning of a working source into degraded, naming it", () => {
    const { health, reports } = follow(["engine"]);
    health.ok("engine", { version: "28.2.2", warning: "this engine is a swarm manager" });
    expect(reports).toEqual([{ status: "degraded", reason: "this engine is a swarm manager", version: "28.2.2" }]);
  });

  it("joins per-source versions, unless the cluster's own version is set", () => {
    const { health, reports } = follow(["master", "marathon"]);
    health.ok("master", { version: "Mesos 1.11.0" });
    health.ok("marathon", { version: "Marathon 1.9.1" });
    expect(reports.at(-1)?.version).toBe("Mesos 1.11.0 · Marathon 1.9.1");
    health.setVersion("v1.31.0");
    expect(reports.at(-1)?.version).toBe("v1.31.0");
  });

  it("keeps a source's last version while it fails", () => {
    const { health, reports } = follow(["engine"]);
    health.ok("engine", { version: "28.2.2" });
    health.failed("engine", err("unreachable", "socket closed"));
    expect(reports.at(-1)).toEqual({ status: "unreachable", reason: "socket closed", version: "28.2.2" });
  });

  it("calls onRecovered when the cluster comes back from unreachable, not on other changes", () => {
    let recovered = 0;
    const { health } = follow(["a"], () => recovered++);
    health.ok("a");
    health.failed("a", err("forbidden"));
    health.ok("a");
    expect(recovered).toBe(0);
    health.failed("a", err("unreachable"));
    health.ok("a");
    expect(recovered).toBe(1);
  });

  it("reports several outcomes recorded together once, with nothing in between", () => {
    const { health, reports } = follow(["lists", "following"]);
    health.failed("lists", err("unreachable", "ECONNREFUSED"));
    health.failed("following", err("unreachable", "ECONNREFUSED"));
    health.record((h) => {
      h.ok("lists");
      h.ok("following");
    });
    expect(reports.map((r) => r.status)).toEqual(["unreachable", "ok"]);
  });

  it("names at most three failures, then how many more", () => {
    const sources = ["a", "b", "c", "d", "e"];
    const { health, reports } = follow(sources);
    for (const s of sources) health.failed(s, err("unreachable", `list ${s}: ECONNREFUSED ${s}`));
    expect(reports.at(-1)).toEqual({
      status: "unreachable",
      reason: "list a: ECONNREFUSED a; list b: ECONNREFUSED b; list c: ECONNREFUSED c; and 2 more",
      version: null,
    });
  });

  it("names each distinct failure once", () => {
    const { health, reports } = follow(["a", "b", "c"]);
    health.failed("a", err("forbidden", "no access"));
    health.failed("b", err("forbidden", "no access"));
    health.failed("c", err("upstream", "500 from c"));
    expect(reports.at(-1)).toEqual({ status: "degraded", reason: "no access; 500 from c", version: null });
  });
});

describe("ConnectionHealth reasons", () => {
  it("says a cause shared by many sources once, naming a few of them", () => {
    const { health, reports } = follow(["nodes", "pods", "deployments", "services"]);
    health.record((h) => {
      for (const r of ["nodes", "pods", "deployments"]) h.failed(r, err("unreachable", `list ${r}: connect ECONNREFUSED 10.0.0.1:6443`));
      h.failed("services", err("unreachable", "list services: socket hang up"));
    });
    expect(reports.at(-1)?.reason).toBe(
      "connect ECONNREFUSED 10.0.0.1:6443 (list nodes, list pods and 1 more); list services: socket hang up",
    );
  });
});
