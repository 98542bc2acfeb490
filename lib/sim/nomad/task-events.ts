/**
 * Task events as a Nomad client records them (structs.TaskEvent): Details
 * beside the older flat fields, which the setters fill together
 * (SetExitCode sets ExitCode and Details.exit_code), and the DisplayMessage
 * that PopulateEventDisplayMessage writes from them.
 */

export interface SimTaskEvent {
  Type: string;
  /** Unix nanoseconds. */
  Time: number;
  Message: string;
  DisplayMessage: string;
  Details: Record<string, string>;
  FailsTask: boolean;
  RestartReason: string;
  SetupError: string;
  DriverError: string;
  DriverMessage: string;
  ExitCode: number;
  Signal: number;
  /** Nanoseconds, as every time.Duration on the wire. */
  KillTimeout: number;
  KillError: string;
  KillReason: string;
  StartDelay: number;
  DownloadError: string;
  ValidationError: string;
  DiskLimit: number;
  FailedSibling: string;
  VaultError: string;
  TaskSignalReason: string;
  TaskSignal: string;
  GenericSource: string;
}

/** What the client's setters put on an event; absent ones leave the fields at their zero values. */
export interface TaskEventFields {
  /** SetMessage: a hook's or the health watcher's words ("Building Task Directory", "Unhealthy because of failed task"). */
  message?: string;
  exitCode?: number;
  signal?: number;
  /** The driver's exit error ("OOM Killed"), SetExitMessage. */
  exitMessage?: string;
  oomKilled?: boolean;
  restartReason?: string;
  startDelayMs?: number;
  failsTask?: boolean;
  driverError?: string;
  driverMessage?: string;
  failedSibling?: string;
  killTimeoutMs?: number;
}

/** structs.ReasonWithinPolicy: the restart tracker's reason for an ordinary restart, which the display message leaves out. */
export const REASON_WITHIN_POLICY = "Restart within policy";

const nanos = (ms: number) => Math.round(ms * 1_000_000);

/** Go's time.Duration String() of a duration in nanoseconds: "450ms", "15s", "16.769843104s", "1m30s", "1h0m0s". */
export function goDuration(ns: number): string {
  let n = Math.round(Math.abs(ns));
  const sign = ns < 0 ? "-" : "";
  if (n === 0) return "0s";
  const decimal = (whole: number, fraction: number, digits: number) => {
    const f = String(fraction).padStart(digits, "0").replace(/0+$/, "");
    return f ? `${whole}.${f}` : String(whole);
  };
  if (n < 1e9) {
    const [unit, size, digits] = n < 1e3 ? (["ns", 1, 0] as const) : n < 1e6 ? (["µs", 1e3, 3] as const) : (["ms", 1e6, 6] as const);
    return `${sign}${decimal(Math.floor(n / size), n % size, digits)}${unit}`;
  }
  const hours = Math.floor(n / 3.6e12);
  n -= hours * 3.6e12;
  const minutes = Math.floor(n / 6e10);
  n -= minutes * 6e10;
  const seconds = decimal(Math.floor(n / 1e9), n % 1e9, 9);
  return `${sign}${hours ? `${hours}h${minutes}m` : minutes ? `${minutes}m` : ""}${seconds}s`;
}

/** PopulateEventDisplayMessage, for the event types the simulated clients write. */
function displayMessage(e: SimTaskEvent): string {
  switch (e.Type) {
    case "Received":
      return "Task received by client";
    case "Started":
      return "Task started by client";
    case "Driver Failure":
      return e.DriverError || "Failed to start task";
    case "Driver":
      return e.DriverMessage;
    case "Terminated": {
      const parts = [`Exit Code: ${e.ExitCode}`];
      if (e.Signal !== 0) parts.push(`Signal: ${e.Signal}`);
      if (e.Message) parts.push(`Exit Message: ${JSON.stringify(e.Message)}`);
      return parts.join(", ");
    }
    case "Restarting": {
      const after = `Task restarting in ${goDuration(e.StartDelay)}`;
      return e.RestartReason && e.RestartReason !== REASON_WITHIN_POLICY ? `${e.RestartReason} - ${after}` : after;
    }
    case "Not Restarting":
      return e.RestartReason || "Task exceeded restart policy";
    case "Restart Signaled":
      return e.RestartReason || "Task signaled to restart";
    case "Killing":
      if (e.KillReason) return e.KillReason;
      return e.KillTimeout ? `Sent interrupt. Waiting ${goDuration(e.KillTimeout)} before force killing` : "Sent interrupt";
    case "Killed":
      return e.KillError || "Task successfully killed";
    case "Sibling Task Failed":
      return e.FailedSibling ? `Task's sibling ${JSON.stringify(e.FailedSibling)} failed` : "Task's sibling failed";
    default:
      // Task Setup, Alloc Unhealthy and the like say their message.
      return e.Message;
  }
}

export function taskEvent(type: string, now: number, fields: TaskEventFields = {}): SimTaskEvent {
  const details: Record<string, string> = {};
  const e: SimTaskEvent = {
    Type: type,
    Time: nanos(now),
    Message: "",
    DisplayMessage: "",
    Details: details,
    FailsTask: false,
    RestartReason: "",
    SetupError: "",
    DriverError: "",
    DriverMessage: "",
    ExitCode: 0,
    Signal: 0,
    KillTimeout: 0,
    KillError: "",
    KillReason: "",
    StartDelay: 0,
    DownloadError: "",
    ValidationError: "",
    DiskLimit: 0,
    FailedSibling: "",
    VaultError: "",
    TaskSignalReason: "",
    TaskSignal: "",
    GenericSource: "",
  };
  if (fields.message !== undefined) e.Message = details.message = fields.message;
  if (fields.exitCode !== undefined) {
    e.ExitCode = fields.exitCode;
    details.exit_code = String(fields.exitCode);
  }
  if (fields.signal !== undefined) {
    e.Signal = fields.signal;
    details.signal = String(fields.signal);
  }
  if (fields.oomKilled !== undefined) details.oom_killed = String(fields.oomKilled);
  if (fields.exitMessage) e.Message = details.exit_message = fields.exitMessage;
  if (fields.restartReason) e.RestartReason = details.restart_reason = fields.restartReason;
  if (fields.startDelayMs !== undefined) {
    e.StartDelay = nanos(fields.startDelayMs);
    details.start_delay = String(e.StartDelay);
  }
  if (fields.failsTask) {
    e.FailsTask = true;
    details.fails_task = "true";
  }
  if (fields.driverError) e.DriverError = details.driver_error = fields.driverError;
  if (fields.driverMessage) e.DriverMessage = details.driver_message = fields.driverMessage;
  if (fields.failedSibling) e.FailedSibling = details.failed_sibling = fields.failedSibling;
  if (fields.killTimeoutMs !== undefined) {
    e.KillTimeout = nanos(fields.killTimeoutMs);
    details.kill_timeout = goDuration(e.KillTimeout);
  }
  e.DisplayMessage = displayMessage(e);
  return e;
}
