import { describe, expect, it } from "vitest";
import { goDuration, REASON_WITHIN_POLICY, taskEvent } from "./task-events";

describe("simulated task events", () => {
  it("print durations as Go does", () => {
    expect([0, 450e6, 15e9, 16_769_843_104, 90e9, 3600e9, 1500, 2e3].map(goDuration)).toEqual([
      "0s",
      "450ms",
      "15s",
      "16.769843104s",
      "1m30s",
      "1h0m0s",
      "1.5µs",
      "2µs",
    ]);
  });

  it("fill Details beside the flat fields, and the display message from them", () => {
    const oom = taskEvent("Terminated", 1000, { exitCode: 137, signal: 0, oomKilled: true, exitMessage: "OOM Killed" });
    expect(oom).toMatchObject({
      Time: 1e9,
      ExitCode: 137,
      Signal: 0,
      Message: "OOM Killed",
      DisplayMessage: 'Exit Code: 137, Exit Message: "OOM Killed"',
      Details: { exit_code: "137", signal: "0", oom_killed: "true", exit_message: "OOM Killed" },
    });
    expect(taskEvent("Terminated", 0, { exitCode: 130, signal: 2 }).DisplayMessage).toBe("Exit Code: 130, Signal: 2");
    expect(taskEvent("Restarting", 0, { restartReason: REASON_WITHIN_POLICY, startDelayMs: 15_400 })).toMatchObject({
      DisplayMessage: "Task restarting in 15.4s",
      StartDelay: 15_400_000_000,
      Details: { restart_reason: REASON_WITHIN_POLICY, start_delay: "15400000000" },
    });
    expect(taskEvent("Restarting", 0, { restartReason: "Restarting due to a template change", startDelayMs: 0 }).DisplayMessage).toBe(
      "Restarting due to a template change - Task restarting in 0s",
    );
    expect(taskEvent("Killing", 0, { killTimeoutMs: 5000 })).toMatchObject({
      KillTimeout: 5e9,
      DisplayMessage: "Sent interrupt. Waiting 5s before force killing",
      Details: { kill_timeout: "5s" },
    });
    expect(taskEvent("Sibling Task Failed", 0, { failedSibling: "web" }).DisplayMessage).toBe('Task\'s sibling "web" failed');
    expect(taskEvent("Task Setup", 0, { message: "Building Task Directory" })).toMatchObject({
      Message: "Building Task Directory",
      DisplayMessage: "Building Task Directory",
      Details: { message: "Building Task Directory" },
    });
    expect(taskEvent("Received", 0)).toMatchObject({ DisplayMessage: "Task received by client", Details: {}, FailsTask: false });
  });
});
