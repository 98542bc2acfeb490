import { describe, expect, it } from "vitest";
import { MAX_TASK_HISTORY, TaskDetailSchema } from "@/lib/model/types";
import { NomadAllocationDetailSchema } from "./raw";
import { mapAllocationDetail } from "./task-detail";

/*
 * GET /v1/allocation/:id as Nomad 1.9 answers it (the shape of the API docs'
 * sample: every TaskEvent with Details and the older flat fields, Time in
 * nanoseconds, Go's zero time for "never"), trimmed of what the mapping
 * does not read, and parsed as the adapter parses it.
 */

const READ_AT = "2025-11-26T10:00:00.000Z";
const T0 = 1764150000000000000;
const at = (s: number) => T0 + s * 1e9;
const iso = (s: number) => new Date(at(s) / 1e6).toISOString();

/** structs.TaskEvent on the wire: the flat fields the setters fill beside Details. */
function event(type: string, s: number, display: string, details: Record<string, string> = {}, flat: Record<string, unknown> = {}) {
  return {
    Details: details,
    DiskLimit: 0,
    DisplayMessage: display,
    DownloadError: "",
    DriverError: "",
    DriverMessage: "",
    ExitCode: 0,
    FailedSibling: "",
    FailsTask: false,
    GenericSource: "",
    KillError: "",
    KillReason: "",
    KillTimeout: 0,
    Message: details.message ?? "",
    RestartReason: "",
    SetupError: "",
    Signal: 0,
    StartDelay: 0,
    TaskSignal: "",
    TaskSignalReason: "",
    Time: at(s),
    Type: type,
    ValidationError: "",
    VaultError: "",
    ...flat,
  };
}

const received = (s: number) => event("Received", s, "Task received by client");
const setup = (s: number) => event("Task Setup", s, "Building Task Directory", { message: "Building Task Directory" });
const downloading = (s: number, image: string) =>
  event(
    "Driver",
    s,
    `Downloading image ${image}`,
    { driver_message: `Downloading image ${image}` },
    { DriverMessage: `Downloading image ${image}` },
  );
const started = (s: number) => event("Started", s, "Task started by client");
const oom = (s: number) =>
  event(
    "Terminated",
    s,
    'Exit Code: 137, Exit Message: "OOM Killed"',
    { exit_code: "137", signal: "0", oom_killed: "true", exit_message: "OOM Killed" },
    { ExitCode: 137, Message: "OOM Killed" },
  );
const restarting = (s: number) =>
  event(
    "Restarting",
    s,
    "Task restarting in 16.769843104s",
    { restart_reason: "Restart within policy", start_delay: "16769843104" },
    { RestartReason: "Restart within policy", StartDelay: 16769843104 },
  );

const job = {
  ID: "ledger",
  Name: "ledger",
  Namespace: "payments",
  Type: "service",
  Version: 3,
  TaskGroups: [
    {
      Name: "worker",
      Count: 2,
      Tasks: [
        {
          Name: "app",
          Driver: "docker",
          Config: { image: "registry.acme.example/ledger-worker:5.0.3", ports: ["http"] },
          Resources: { CPU: 500, MemoryMB: 256 },
        },
        { Name: "log-shipper", Driver: "exec", Config: { command: "/usr/local/bin/vector", args: ["--config", "local/vector.toml"] } },
      ],
    },
  ],
};

/** An allocation whose app task was OOM-killed twice and runs again, beside a sidecar that never stopped. */
const restartingAlloc = {
  ID: "8b1f0a62-3c57-2d4e-9a1b-7e6f5d4c3b2a",
  EvalID: "5456bd7a-9fc0-c0dd-6131-cbee77f57577",
  Name: "ledger.worker[1]",
  Namespace: "payments",
  NodeID: "fb2170a8-257d-3c64-b14d-bc06cc94e34c",
  NodeName: "fra1-compute-2",
  JobID: "ledger",
  Job: job,
  JobType: "service",
  JobVersion: 3,
  TaskGroup: "worker",
  DesiredStatus: "run",
  DesiredDescription: "",
  ClientStatus: "running",
  ClientDescription: "Tasks are running",
  DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
  TaskStates: {
    app: {
      State: "running",
      Failed: false,
      Restarts: 2,
      LastRestart: "2025-11-26T09:45:17.2Z",
      StartedAt: "2025-11-26T09:45:34.01Z",
      FinishedAt: "0001-01-01T00:00:00Z",
      Events: [
        received(0),
        setup(0),
        downloading(1, "registry.acme.example/ledger-worker:5.0.3"),
        started(4),
        oom(120),
        restarting(120),
        started(137),
        oom(317),
        restarting(317),
        started(334),
      ],
      TaskHandle: null,
    },
    "log-shipper": {
      State: "running",
      Failed: false,
      Restarts: 0,
      LastRestart: null,
      StartedAt: "2025-11-26T09:40:02.5Z",
      FinishedAt: null,
      Events: [received(0), setup(0), started(2)],
      TaskHandle: null,
    },
  },
  DeploymentStatus: { Healthy: true, Timestamp: "2025-11-26T09:40:14.9Z", Canary: false, ModifyIndex: 131 },
  PreviousAllocation: "",
  NextAllocation: "",
  RescheduleTracker: null,
  AllocStates: null,
  FollowupEvalID: "",
  PreemptedAllocations: null,
  PreemptedByAllocation: "",
  CreateIndex: 120,
  ModifyIndex: 170,
  AllocModifyIndex: 120,
  CreateTime: at(0),
  ModifyTime: at(334),
};

/** A replacement that could not pull its image: the task gave up, its sidecar was killed for it, and the allocation failed. */
const pull =
  'Failed to pull `registry.acme.invalid/ledger-worker:5.1.0`: Error response from daemon: Get "https://registry.acme.invalid/v2/": dial tcp: lookup registry.acme.invalid on 127.0.0.53:53: no such host';
const failedAlloc = {
  ...restartingAlloc,
  ID: "c4a9e1d0-7b6f-4a3e-8d2c-1f0e9d8c7b6a",
  Name: "ledger.worker[0]",
  ClientStatus: "failed",
  ClientDescription: "Failed tasks",
  DeploymentStatus: { Healthy: false, Timestamp: "2025-11-26T09:41:00Z", Canary: false, ModifyIndex: 180 },
  PreviousAllocation: "0a1b2c3d-1111-2222-3333-444455556666",
  RescheduleTracker: {
    Events: [
      {
        PrevAllocID: "0a1b2c3d-1111-2222-3333-444455556666",
        PrevNodeID: "9230cd3b-3bda-9a3f-82f9-b2ea8dedb20e",
        RescheduleTime: at(-30),
        Delay: 30000000000,
      },
    ],
  },
  TaskStates: {
    app: {
      State: "dead",
      Failed: true,
      Restarts: 2,
      LastRestart: "2025-11-26T09:40:40Z",
      StartedAt: null,
      FinishedAt: "2025-11-26T09:41:00Z",
      Events: [
        received(0),
        setup(0),
        event("Driver Failure", 2, pull, { driver_error: pull }, { DriverError: pull }),
        restarting(2),
        event("Driver Failure", 20, pull, { driver_error: pull }, { DriverError: pull }),
        restarting(20),
        event("Driver Failure", 40, pull, { driver_error: pull }, { DriverError: pull }),
        event(
          "Not Restarting",
          40,
          'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"',
          { restart_reason: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"', fails_task: "true" },
          { RestartReason: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"', FailsTask: true },
        ),
        event("Alloc Unhealthy", 60, "Unhealthy because of failed task", { message: "Unhealthy because of failed task" }),
      ],
    },
    "log-shipper": {
      State: "dead",
      Failed: false,
      Restarts: 0,
      StartedAt: "2025-11-26T09:40:02.5Z",
      FinishedAt: "2025-11-26T09:41:00Z",
      Events: [
        received(0),
        setup(0),
        started(2),
        event("Sibling Task Failed", 40, 'Task\'s sibling "app" failed', { failed_sibling: "app" }, { FailedSibling: "app" }),
        event("Killing", 40, "Sent interrupt. Waiting 5s before force killing", { kill_timeout: "5s" }, { KillTimeout: 5000000000 }),
        event("Terminated", 41, "Exit Code: 0", { exit_code: "0", signal: "0", oom_killed: "false" }),
        event("Killed", 41, "Task successfully killed"),
      ],
    },
  },
  ModifyTime: at(60),
};

const parse = (raw: unknown) => NomadAllocationDetailSchema.parse(raw);

describe("mapAllocationDetail", () => {
  it("reads each task as a container, and a restarting one's restarts and OOM kills", () => {
    const detail = mapAllocationDetail(parse(restartingAlloc), READ_AT);
    expect(TaskDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.readAt).toBe(READ_AT);
    expect(detail.containers).toEqual([
      {
        name: "app",
        image: "registry.acme.example/ledger-worker:5.0.3",
        state: "running",
        stateReason: null,
        ready: true,
        restarts: 2,
        startedAt: "2025-11-26T09:45:34.010Z",
        lastExit: { reason: "OOM Killed", exitCode: 137, at: iso(317) },
      },
      // An exec task has no image.
      {
        name: "log-shipper",
        image: null,
        state: "running",
        stateReason: null,
        ready: true,
        restarts: 0,
        startedAt: "2025-11-26T09:40:02.500Z",
        lastExit: null,
      },
    ]);
  });

  it("tells the steps newest first, per task where there are several, the deployment's verdict among them", () => {
    const { history } = mapAllocationDetail(parse(restartingAlloc), READ_AT);
    // Events with one time come in the order the client wrote them, so newest first they reverse.
    expect(history.slice(0, 4)).toEqual([
      { at: iso(334), what: "Started", detail: "Task started by client", level: "normal", container: "app" },
      { at: iso(317), what: "Restarting", detail: "Task restarting in 16.769843104s", level: "warning", container: "app" },
      { at: iso(317), what: "Terminated", detail: 'Exit Code: 137, Exit Message: "OOM Killed"', level: "warning", container: "app" },
      { at: iso(137), what: "Started", detail: "Task started by client", level: "normal", container: "app" },
    ]);
    expect(history.find((s) => s.what === "Healthy")).toEqual({
      at: "2025-11-26T09:40:14.900Z",
      what: "Healthy",
      detail: "marked healthy by its deployment",
      level: "normal",
      container: null,
    });
    expect(history.filter((s) => s.container === "log-shipper").map((s) => s.what)).toEqual(["Started", "Task Setup", "Received"]);
    expect(history).toHaveLength(10 + 3 + 1);
  });

  it("reads a failed allocation: the task that gave up, the sibling killed for it, the reschedule that placed it", () => {
    const detail = mapAllocationDetail(parse(failedAlloc), READ_AT);
    expect(TaskDetailSchema.parse(detail)).toEqual(detail);
    const [app, shipper] = detail.containers;
    // It never ran: no exit code; the task runner's last word stands for how it ended.
    expect(app).toEqual({
      name: "app",
      image: "registry.acme.example/ledger-worker:5.0.3",
      state: "exited",
      stateReason: "Not Restarting",
      ready: false,
      restarts: 2,
      startedAt: null,
      lastExit: {
        reason: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"',
        exitCode: null,
        at: "2025-11-26T09:41:00.000Z",
      },
    });
    // Stopped on purpose: a clean exit, no warning.
    expect(shipper).toMatchObject({
      state: "exited",
      stateReason: "Killed",
      ready: false,
      lastExit: { reason: null, exitCode: 0, at: iso(41) },
    });
    const levels = Object.fromEntries(detail.history.map((s) => [`${s.container}:${s.what}`, s.level]));
    expect(levels).toMatchObject({
      "app:Driver Failure": "warning",
      "app:Not Restarting": "warning",
      "app:Alloc Unhealthy": "warning",
      "log-shipper:Sibling Task Failed": "warning",
      "log-shipper:Killing": "normal",
      "log-shipper:Terminated": "normal",
      "log-shipper:Killed": "normal",
    });
    // The unhealthy verdict is said by the tasks' "Alloc Unhealthy" events; the reschedule is the allocation's oldest step.
    expect(detail.history.some((s) => s.what === "Unhealthy")).toBe(false);
    expect(detail.history.at(-1)).toEqual({
      at: iso(-30),
      what: "Rescheduled",
      detail: "replaces failed allocation 0a1b2c3d",
      level: "normal",
      container: null,
    });
  });

  it("does not trust what a lost allocation's client last said, and tells the recorded client status changes", () => {
    const lost = parse({
      ...restartingAlloc,
      ClientStatus: "lost",
      ClientDescription: "alloc is lost since its node is down",
      DesiredStatus: "stop",
      DeploymentStatus: null,
      AllocStates: [{ Field: 0, Value: "lost", Time: "2025-11-26T09:50:00.123456789Z" }],
    });
    const detail = mapAllocationDetail(lost, READ_AT);
    expect(detail.containers.map((c) => [c.name, c.state, c.stateReason, c.ready])).toEqual([
      ["app", "unknown", "allocation lost: alloc is lost since its node is down", null],
      ["log-shipper", "unknown", "allocation lost: alloc is lost since its node is down", null],
    ]);
    expect(detail.history[0]).toEqual({
      at: "2025-11-26T09:50:00.123Z",
      what: "lost",
      detail: "alloc is lost since its node is down",
      level: "warning",
      container: null,
    });
    // A stop that set no client status is recorded with an empty value: nothing to tell.
    const stopped = mapAllocationDetail(
      parse({ ...restartingAlloc, AllocStates: [{ Field: 0, Value: "", Time: "2025-11-26T09:50:00Z" }] }),
      READ_AT,
    );
    expect(stopped.history.filter((s) => s.container === null).map((s) => s.what)).toEqual(["Healthy"]);
  });

  it("reads the group's tasks from the job before the client reported, a single task's steps without a container, within the bound", () => {
    const pending = parse({
      ...restartingAlloc,
      ClientStatus: "pending",
      ClientDescription: "No tasks have started",
      TaskStates: null,
      DeploymentStatus: null,
    });
    expect(mapAllocationDetail(pending, READ_AT)).toEqual({
      containers: [
        expect.objectContaining({ name: "app", state: "waiting", stateReason: "pending: No tasks have started", ready: null }),
        expect.objectContaining({ name: "log-shipper", image: null, state: "waiting" }),
      ],
      history: [],
      readAt: READ_AT,
    });

    // Without the job (an old server, or a trimmed answer) there is no image; with one task its steps name no container.
    const many = Array.from({ length: 40 }, (_, i) => [oom(10 * i + 5), restarting(10 * i + 5), started(10 * i + 9)]).flat();
    const single = parse({
      ...restartingAlloc,
      Job: null,
      TaskStates: { app: { ...restartingAlloc.TaskStates.app, Events: many } },
    });
    const detail = mapAllocationDetail(single, READ_AT);
    expect(detail.containers).toEqual([expect.objectContaining({ name: "app", image: null, restarts: 2 })]);
    expect(detail.history).toHaveLength(MAX_TASK_HISTORY);
    expect(detail.history.filter((s) => s.container !== null)).toEqual([]);
  });

  it("reads servers that predate Details from the display message", () => {
    const old = parse({
      ...restartingAlloc,
      TaskStates: {
        app: {
          State: "running",
          Restarts: 1,
          StartedAt: "2025-11-26T09:41:00Z",
          Events: [{ Type: "Terminated", Time: at(50), DisplayMessage: "Exit Code: 2, Signal: 9", ExitCode: 2, Signal: 9 }],
        },
      },
    });
    expect(mapAllocationDetail(old, READ_AT).containers[0]?.lastExit).toEqual({ reason: "Signal: 9", exitCode: 2, at: iso(50) });
  });
});
