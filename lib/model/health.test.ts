import { describe, expect, it } from "vitest";
import { compareProblems, currentProblems, nodeHealth, RECENT_PROBLEM_MS, taskHealth, workloadHealth, type Problem } from "./health";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const crashLoop: Problem = { severity: "critical", reason: "Crash loop", evidence: "back-off 5m0s", since: ago(3_600_000), ongoing: true };
const oomKill: Problem = {
  severity: "warning",
  reason: "Out of memory",
  evidence: "OOMKilled, exit 137",
  since: ago(60_000),
  ongoing: false,
};

const task = (name: string, over: { state?: string; ready?: boolean; problems?: Problem[] } = {}) => ({
  name,
  state: "running",
  ready: true,
  ...over,
});

describe("health rules", () => {
  it("orders problems most severe first, then oldest, undated last", () => {
    const undated = { ...crashLoop, since: null, reason: "A" };
    const newer = { ...crashLoop, since: ago(1000) };
    expect([oomKill, newer, undated, crashLoop].sort(compareProblems)).toEqual([crashLoop, newer, undated, oomKill]);
  });

  it("lets a past problem lapse after RECENT_PROBLEM_MS and keeps an ongoing one", () => {
    const old = { ...oomKill, since: ago(RECENT_PROBLEM_MS + 1) };
    expect(currentProblems([old, oomKill, { ...crashLoop, since: ago(10 * RECENT_PROBLEM_MS) }], NOW)).toEqual([
      { ...crashLoop, since: ago(10 * RECENT_PROBLEM_MS) },
      oomKill,
    ]);
    expect(currentProblems([{ ...oomKill, since: null }], NOW)).toEqual([]);
  });

  it("reads a task: failing on a critical problem or a failed state, degraded on a warning, progressing while not ready", () => {
    expect(taskHealth(task("a", { ready: false, problems: [crashLoop] }), NOW).state).toBe("failing");
    expect(taskHealth(task("a", { state: "failed" }), NOW).state).toBe("failing");
    expect(taskHealth(task("a", { problems: [oomKill] }), NOW).state).toBe("degraded");
    expect(taskHealth(task("a", { state: "pending", ready: false }), NOW)).toMatchObject({ state: "progressing", live: true });
    expect(taskHealth(task("a", { state: "succeeded", ready: false }), NOW)).toMatchObject({ state: "healthy", live: false });
  });

  it("adds the node's own status as a problem", () => {
    expect(nodeHealth({ status: "not-ready", statusReason: "kubelet stopped posting", problems: [] }, NOW)).toEqual({
      state: "failing",
      problems: [{ severity: "critical", reason: "Node not ready", evidence: "kubelet stopped posting", since: null, ongoing: true }],
    });
    expect(nodeHealth({ status: "unknown", statusReason: null }, NOW).state).toBe("degraded");
    expect(nodeHealth({ status: "ready", statusReason: null }, NOW)).toEqual({ state: "healthy", problems: [] });
  });

  it("calls a crash-looping single replica failing, not converging", () => {
    const h = workloadHealth({ desired: 1, ready: 0 }, [task("rec-1", { ready: false, problems: [crashLoop] })], NOW, "pods");
    expect(h.state).toBe("failing");
    expect(h.tasks).toEqual({ ready: 0, starting: 0, failing: 1, stopping: 0 });
    expect(h.problems).toEqual([{ ...crashLoop, evidence: "rec-1: back-off 5m0s" }]);
  });

  it("says one problem of several tasks once, with how many", () => {
    const tasks = [
      task("web-1", { ready: false, problems: [crashLoop] }),
      task("web-2", { ready: false, problems: [{ ...crashLoop, since: ago(7_200_000) }] }),
      task("web-3"),
    ];
    const h = workloadHealth({ desired: 3, ready: 1 }, tasks, NOW, "pods");
    expect(h.state).toBe("degraded");
    expect(h.problems).toHaveLength(1);
    expect(h.problems[0]).toMatchObject({ evidence: "2 of 3 pods: web-1: back-off 5m0s", since: ago(7_200_000) });
  });

  it("reads scaling down as such, not as 6 of 3 ready", () => {
    const six = Array.from({ length: 6 }, (_, i) => task(`w-${i}`, { ready: i < 3 }));
    expect(workloadHealth({ desired: 3, ready: 3 }, six, NOW)).toMatchObject({
      state: "scaling-down",
      tasks: { ready: 3, starting: 0, failing: 0, stopping: 3 },
    });
  });

  it("reads starting replicas as progressing and a recent OOM kill as degraded", () => {
    expect(workloadHealth({ desired: 2, ready: 1 }, [task("a"), task("b", { state: "pending", ready: false })], NOW)).toMatchObject({
      state: "progressing",
      tasks: { ready: 1, starting: 1, failing: 0, stopping: 0 },
    });
    expect(workloadHealth({ desired: 1, ready: 1 }, [task("a", { problems: [oomKill] })], NOW).state).toBe("degraded");
    expect(workloadHealth({ desired: 0, ready: 0 }, [], NOW).state).toBe("healthy");
  });
});
