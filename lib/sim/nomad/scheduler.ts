import {
  NomadWorld,
  wire,
  type SimAlloc,
  type SimDeployment,
  type SimEvaluation,
  type SimJob,
  type SimNode,
  type SimServiceRegistration,
  type SimTaskGroup,
  type SimTaskSpec,
  type SimTaskState,
} from "./state";
import { REASON_WITHIN_POLICY, taskEvent } from "./task-events";
import { exitsAtOnce, pullError } from "./task-failures";
import { oomKilledSince } from "./usage";

/**
 * The simulated Nomad scheduler and clients: places task groups on clients
 * that have room (binpacking, with a penalty for stacking one group on a
 * node), queues what does not fit with a blocked evaluation saying which
 * dimension was exhausted, moves allocations pending → running → complete
 * over a few seconds, restarts tasks that fail by the default restart policy
 * and reschedules allocations that failed for good, follows a job update
 * with a deployment, stops what is no longer wanted, registers Nomad-native
 * services of running allocations and garbage-collects old terminal ones.
 */

export interface SchedulerTimings {
  /** From placement to running (the image "downloads" half way). */
  startMs: number;
  /** ± this much, at random, so a scale-up does not start in lockstep. */
  startJitterMs: number;
  /** From a stop request to complete. */
  stopMs: number;
  /** How long a batch allocation runs. */
  batchRunMs: number;
  /** Terminal allocations of service and system jobs are collected this long after they end. */
  gcMs: number;
  /** Chance per running service allocation per minute of a task restart (demo colour; 0 in tests). */
  restartsPerMinute: number;
  /** A failed task restarts after this (the restart policy's delay, 15 s by default, plus up to 25% jitter). */
  restartDelayMs: number;
  /**
   * A service allocation that failed is replaced after this, doubling with
   * each reschedule up to 120 times it (Nomad: 30 s to 1 h); a batch one
   * after this, once.
   */
  rescheduleDelayMs: number;
  /** An allocation of a deployment is healthy once its tasks have run this long (update.min_healthy_time). */
  minHealthyMs: number;
  /** A deployment fails when no allocation of a group turned healthy for this long (update.progress_deadline). */
  progressDeadlineMs: number;
}

export const DEFAULT_TIMINGS: SchedulerTimings = {
  startMs: 3000,
  startJitterMs: 1200,
  stopMs: 1500,
  batchRunMs: 45_000,
  gcMs: 120_000,
  restartsPerMinute: 0,
  restartDelayMs: 15_000,
  rescheduleDelayMs: 30_000,
  minHealthyMs: 10_000,
  progressDeadlineMs: 600_000,
};

const LIVE = new Set(["pending", "running"]);
const BATCH_RESCHEDULES = 1;
/** The default restart policy: a service task restarts twice in 30 minutes, a batch task three times a day, then fails. */
const RESTART_POLICY = {
  service: { attempts: 2, interval: "30m0s" },
  batch: { attempts: 3, interval: "24h0m0s" },
};
const MAX_RESCHEDULE_FACTOR = 120;
const nanos = (ms: number) => ms * 1_000_000;
const iso = (ms: number) => new Date(ms).toISOString();
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";
/** The kill_timeout of a task that sets none: how long the client waits after the interrupt before it kills. */
const KILL_TIMEOUT_MS = 5000;

/** How the tasks still alive end when an allocation becomes terminal. */
type TaskEnd =
  /** They ran to the end and exited (a batch run). */
  | { exited: number }
  /** The client killed them, as asked (a stop). */
  | "killed"
  /** A task failed for good, so its siblings are killed (the failed one said why already). */
  | "sibling"
  /** The client no longer reports: the servers keep the task states it last sent. */
  | "unreported";

type FailedGroup = NonNullable<SimEvaluation["FailedTGAllocs"]>[string];

export interface GroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

export function isLive(alloc: SimAlloc): boolean {
  return LIVE.has(alloc.ClientStatus);
}

export function groupResources(group: SimTaskGroup): { cpu: number; memoryMB: number } {
  return group.Tasks.reduce((sum, t) => ({ cpu: sum.cpu + t.Resources.CPU, memoryMB: sum.memoryMB + t.Resources.MemoryMB }), {
    cpu: 0,
    memoryMB: 0,
  });
}

export class NomadScheduler {
  private lastTick = Date.now();

  constructor(
    readonly world: NomadWorld,
    readonly timings: SchedulerTimings = DEFAULT_TIMINGS,
    private readonly random: () => number = Math.random,
  ) {}

  // ------------------------------------------------------------ queries

  allocsOf(job: SimJob): SimAlloc[] {
    return [...this.world.allocs.values()].filter((a) => a.JobID === job.ID && a.Namespace === job.Namespace);
  }

  summary(job: SimJob): Record<string, GroupSummary> {
    const out: Record<string, GroupSummary> = {};
    for (const g of job.TaskGroups)
      out[g.Name] = { Queued: job.sim.queued[g.Name] ?? 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 };
    for (const a of this.allocsOf(job)) {
      const s = out[a.TaskGroup];
      if (!s) continue;
      if (a.ClientStatus === "pending") s.Starting++;
      else if (a.ClientStatus === "running") s.Running++;
      else if (a.ClientStatus === "complete") s.Complete++;
      else if (a.ClientStatus === "failed") s.Failed++;
      else if (a.ClientStatus === "lost") s.Lost++;
      else s.Unknown++;
    }
    return out;
  }

  /** MHz and MB reserved on a node by its allocations that are not terminal. */
  reservedOn(node: SimNode): { cpu: number; memoryMB: number } {
    let cpu = 0;
    let memoryMB = 0;
    for (const a of this.world.allocs.values()) {
      if (a.NodeID !== node.ID || !isLive(a)) continue;
      for (const t of Object.values(a.AllocatedResources.Tasks)) {
        cpu += t.Cpu.CpuShares;
        memoryMB += t.Memory.MemoryMB;
      }
    }
    return { cpu, memoryMB };
  }

  private schedulable(node: SimNode, job: SimJob): boolean {
    return (
      node.Status === "ready" &&
      node.SchedulingEligibility === "eligible" &&
      !node.Drain &&
      (job.NodePool === "all" || job.NodePool === node.NodePool) &&
      job.Datacenters.some((dc) => dc === "*" || dc === node.Datacenter)
    );
  }

  // ------------------------------------------------------------ the loop

  tick(now = Date.now()): void {
    const previous = this.lastTick;
    const elapsedMin = Math.max(0, now - previous) / 60_000;
    this.lastTick = now;
    for (const alloc of [...this.world.allocs.values()]) this.advance(alloc, now, elapsedMin, previous);
    for (const job of [...this.world.jobs.values()]) this.reconcile(job, now);
    for (const deployment of [...this.world.deployments.values()])
      if (deployment.Status === "running") this.watchDeployment(deployment, now);
  }

  /** Moves one allocation along its lifecycle. */
  private advance(alloc: SimAlloc, now: number, elapsedMin: number, previousTick: number) {
    const job = this.world.job(alloc.Namespace, alloc.JobID);
    if (alloc.ClientStatus === "pending") {
      if (alloc.DesiredStatus !== "run") return this.finish(alloc, "complete", now, "killed");
      if (now >= alloc.sim.nextAt) this.startPending(alloc, job, now);
      return;
    }
    if (alloc.ClientStatus === "running") {
      if (alloc.DesiredStatus !== "run") {
        if (now >= alloc.sim.nextAt) this.finish(alloc, "complete", now, "killed");
        return;
      }
      if (alloc.sim.exitAt !== null && now >= alloc.sim.exitAt) {
        alloc.sim.exitAt = null;
        const exiting = Object.entries(alloc.TaskStates)
          .filter(([name, state]) => state.State === "running" && exitsAtOnce(taskSpec(alloc, name)))
          .map(([, state]) => state);
        for (const state of exiting) state.Events.push(taskEvent("Terminated", now, { exitCode: 1, signal: 0, oomKilled: false }));
        return this.taskFailed(alloc, exiting, now, "start");
      }
      // A task waiting out its restart delay beside siblings that run.
      if (now >= alloc.sim.nextAt && Object.values(alloc.TaskStates).some((t) => t.State === "pending")) {
        return this.startPending(alloc, job, now);
      }
      if (alloc.sim.runUntil !== null && now >= alloc.sim.runUntil) {
        return this.finish(alloc, alloc.sim.willFail ? "failed" : "complete", now, { exited: alloc.sim.willFail ? 1 : 0 });
      }
      if (job?.Type === "service" && oomKilledSince(alloc, previousTick, now)) {
        // A leaking task reached its memory limit: the docker driver reports the OOM kill, and the task restarts.
        const state = Object.values(alloc.TaskStates)[0];
        if (state) {
          state.Events.push(taskEvent("Terminated", now, { exitCode: 137, signal: 0, oomKilled: true, exitMessage: "OOM Killed" }));
          this.restart(alloc, state, now);
        }
      } else if (
        job?.Type === "service" &&
        this.timings.restartsPerMinute > 0 &&
        this.random() < this.timings.restartsPerMinute * elapsedMin
      ) {
        const state = Object.values(alloc.TaskStates)[0];
        if (state) {
          // A template re-rendered with change_mode "restart": restarts without a failure (OOM kills are the leaking workloads' story).
          state.Events.push(taskEvent("Restart Signaled", now, { restartReason: "Template with change_mode restart re-rendered" }));
          state.Events.push(taskEvent("Killing", now, { killTimeoutMs: KILL_TIMEOUT_MS }));
          state.Events.push(taskEvent("Terminated", now, { exitCode: 130, signal: 2, oomKilled: false }));
          this.restart(alloc, state, now);
        }
      }
      return;
    }
    // Terminal: collected after a while, as Nomad's GC does (no event), except batch work, which is the job's result.
    if (job?.Type !== "batch" && alloc.sim.terminalAt !== null && now - alloc.sim.terminalAt >= this.timings.gcMs) {
      this.world.allocs.delete(alloc.ID);
      this.world.commit(["allocs", "job_summary"]);
    }
  }

  /**
   * The next start attempt of the tasks that wait: the driver pulls their
   * images (half way), or fails to; then they start, and the allocation runs.
   */
  private startPending(alloc: SimAlloc, job: SimJob | undefined, now: number) {
    const tasks = Object.entries(alloc.TaskStates).filter(([, state]) => state.State === "pending");
    const wasPending = alloc.ClientStatus === "pending";
    if (alloc.sim.step === "pull") {
      const failed: SimTaskState[] = [];
      for (const [name, state] of tasks) {
        const spec = taskSpec(alloc, name);
        const error = pullError(spec);
        if (error) {
          state.Events.push(taskEvent("Driver Failure", now, { driverError: error }));
          failed.push(state);
          continue;
        }
        // Only a driver that pulls an image says so; exec has nothing to download.
        const image = typeof spec?.Config.image === "string" ? spec.Config.image : "";
        if (image) state.Events.push(taskEvent("Driver", now, { driverMessage: `Downloading image ${image}` }));
      }
      if (failed.length) return this.taskFailed(alloc, failed, now, "pull");
      if (wasPending) alloc.ClientDescription = "Tasks are starting";
      alloc.sim.step = "start";
      alloc.sim.nextAt = now + this.timings.startMs / 2;
      return this.save(alloc, now, "AllocationUpdated");
    }
    for (const [name, state] of tasks) {
      state.State = "running";
      state.StartedAt = iso(now);
      state.Events.push(taskEvent("Started", now));
      // It runs for a moment before it exits.
      if (exitsAtOnce(taskSpec(alloc, name))) alloc.sim.exitAt = now + this.timings.startMs / 2;
      this.trimEvents(state);
    }
    alloc.ClientStatus = "running";
    alloc.ClientDescription = "Tasks are running";
    if (job?.Type === "batch" && alloc.sim.runUntil === null)
      alloc.sim.runUntil = now + this.timings.batchRunMs * (0.8 + 0.4 * this.random());
    this.save(alloc, now, "AllocationUpdated");
    // Its services were registered when it first ran, and stay while a task runs.
    if (wasPending) this.registerServices(alloc, job);
  }

  private restart(alloc: SimAlloc, state: SimTaskState, now: number) {
    state.Restarts++;
    state.LastRestart = new Date(now).toISOString();
    state.Events.push(taskEvent("Restarting", now, { restartReason: REASON_WITHIN_POLICY, startDelayMs: this.timings.restartDelayMs }));
    state.Events.push(taskEvent("Started", now));
    this.trimEvents(state);
    this.save(alloc, now, "AllocationUpdated");
  }

  private trimEvents(state: SimTaskState) {
    if (state.Events.length > 10) state.Events.splice(0, state.Events.length - 10);
  }

  /**
   * Tasks whose start or run just failed (the event that says so is theirs
   * already), by the default restart policy: each restarts after the delay
   * until it used its attempts, then is dead and failed, and so is the
   * allocation (the other tasks are killed). `retry` is where the next
   * attempt starts: pulling the image again, or starting the task.
   */
  private taskFailed(alloc: SimAlloc, failed: SimTaskState[], now: number, retry: SimAlloc["sim"]["step"]) {
    const policy = alloc.JobType === "batch" ? RESTART_POLICY.batch : RESTART_POLICY.service;
    const delayMs = this.timings.restartDelayMs * (1 + 0.25 * this.random());
    let gaveUp = false;
    for (const state of failed) {
      if (state.Restarts < policy.attempts) {
        state.State = "pending";
        state.Restarts++;
        state.LastRestart = iso(now);
        state.Events.push(taskEvent("Restarting", now, { restartReason: REASON_WITHIN_POLICY, startDelayMs: Math.round(delayMs) }));
      } else {
        const reason = `Exceeded allowed attempts ${policy.attempts} in interval ${policy.interval} and mode is "fail"`;
        state.Events.push(taskEvent("Not Restarting", now, { restartReason: reason, failsTask: true }));
        state.State = "dead";
        state.Failed = true;
        state.FinishedAt = iso(now);
        gaveUp = true;
      }
      this.trimEvents(state);
    }
    if (gaveUp) return this.finish(alloc, "failed", now, "sibling");
    const running = Object.values(alloc.TaskStates).some((t) => t.State === "running");
    alloc.ClientStatus = running ? "running" : "pending";
    alloc.ClientDescription = running ? "Tasks are running" : "No tasks have started";
    alloc.sim.step = retry;
    alloc.sim.nextAt = now + delayMs;
    this.save(alloc, now, "AllocationUpdated");
    if (!running) this.deregisterServices(alloc);
  }

  /**
   * A terminal client status; a client reports complete and failed
   * ("AllocationUpdated"), the scheduler marks lost ("PlanResult"). Each task
   * still alive ends as `end` says (see TaskEnd).
   */
  private finish(alloc: SimAlloc, status: "complete" | "failed" | "lost", now: number, end: TaskEnd) {
    alloc.ClientStatus = status;
    alloc.ClientDescription =
      status === "complete" ? "All tasks have completed" : status === "failed" ? "Failed tasks" : "alloc is lost since its node is down";
    const failedTask = Object.entries(alloc.TaskStates).find(([, state]) => state.Failed)?.[0] ?? "";
    for (const state of Object.values(alloc.TaskStates)) {
      if (state.State === "dead" || end === "unreported") continue;
      const ran = state.State === "running";
      state.State = "dead";
      state.FinishedAt = iso(now);
      if (end === "sibling") {
        state.Events.push(taskEvent("Sibling Task Failed", now, { failedSibling: failedTask }));
        state.Events.push(taskEvent("Killed", now));
      } else if (end === "killed") {
        // Interrupted when the stop came (see requestStop), it exits; one that never started is only killed.
        if (ran) state.Events.push(taskEvent("Terminated", now, { exitCode: 0, signal: 0, oomKilled: false }));
        state.Events.push(taskEvent("Killed", now));
      } else {
        state.Failed = end.exited !== 0;
        state.Events.push(taskEvent("Terminated", now, { exitCode: end.exited, signal: 0, oomKilled: false }));
      }
      this.trimEvents(state);
    }
    alloc.sim.terminalAt = now;
    this.save(alloc, now, status === "lost" ? "PlanResult" : "AllocationUpdated");
    this.deregisterServices(alloc);
  }

  private save(alloc: SimAlloc, now: number, type: string) {
    alloc.ModifyTime = nanos(now);
    // commit() takes the next index; the event must carry it.
    alloc.ModifyIndex = alloc.AllocModifyIndex = this.world.index + 1;
    this.world.commit(["allocs", "job_summary"], [this.world.allocEvent(alloc, type)]);
  }

  private requestStop(alloc: SimAlloc, now: number, why: string) {
    alloc.DesiredStatus = "stop";
    alloc.DesiredDescription = why;
    appendState(alloc, "", now);
    alloc.sim.nextAt = now + this.timings.stopMs;
    // The client interrupts the running tasks at once; they end when the stop is done (see finish).
    for (const state of Object.values(alloc.TaskStates)) {
      if (state.State !== "running") continue;
      state.Events.push(taskEvent("Killing", now, { killTimeoutMs: KILL_TIMEOUT_MS }));
      this.trimEvents(state);
    }
    // The scheduler's plan stops it: the event is the plan's.
    this.save(alloc, now, "PlanResult");
  }

  /** Makes the allocations of a job match its spec. */
  private reconcile(job: SimJob, now: number) {
    const allocs = this.allocsOf(job);
    const queued: Record<string, number> = {};
    const failures: Record<string, FailedGroup> = {};
    for (const group of job.TaskGroups) {
      const live = allocs.filter((a) => a.TaskGroup === group.Name && isLive(a) && a.DesiredStatus === "run");
      if (job.Stop) {
        for (const a of live) this.requestStop(a, now, "alloc not needed since job stopped");
        continue;
      }
      if (job.Type === "system" || job.Type === "sysbatch") {
        const targets = [...this.world.nodes.values()].filter((n) => this.schedulable(n, job));
        for (const a of live) {
          if (!targets.some((n) => n.ID === a.NodeID)) this.requestStop(a, now, "alloc not needed as node is no longer eligible");
          else if (a.sim.spec < job.sim.spec) this.requestStop(a, now, "alloc not needed due to job update");
        }
        for (const node of targets) {
          const here = allocs.filter((a) => a.TaskGroup === group.Name && a.NodeID === node.ID && a.sim.spec === job.sim.spec);
          if (here.some((a) => isLive(a) && a.DesiredStatus === "run")) continue;
          // A sysbatch allocation runs once per client; a failed system one stays failed (system jobs are not rescheduled).
          if (here.some((a) => job.Type === "sysbatch" || a.ClientStatus === "failed")) continue;
          if (!this.tryPlace(job, group, [node], now)) {
            queued[group.Name] = (queued[group.Name] ?? 0) + 1;
            failures[group.Name] = this.exhaustion(job, group, [node]);
          }
        }
        continue;
      }
      // A new version of the job replaces the allocations of the old one (all at once, as max_parallel = count would).
      for (const a of live.filter((x) => x.sim.spec < job.sim.spec)) this.requestStop(a, now, "alloc not needed due to job update");
      const current = live.filter((a) => a.sim.spec === job.sim.spec);
      // Failed and lost allocations not replaced yet. A batch group is done with its completed allocations and with
      // failures past Nomad's default batch reschedule policy (one attempt a day).
      const mine = allocs.filter((a) => a.TaskGroup === group.Name);
      const ended = mine.filter((a) => (a.ClientStatus === "failed" || a.ClientStatus === "lost") && !a.NextAllocation);
      const givenUp = (a: SimAlloc) => job.Type === "batch" && a.ClientStatus === "failed" && this.reschedules(a) >= BATCH_RESCHEDULES;
      const done = job.Type === "batch" ? mine.filter((a) => a.ClientStatus === "complete").length + ended.filter(givenUp).length : 0;
      const wanted = Math.max(0, group.Count - done);
      if (current.length > wanted) {
        const extra = [...current].sort((a, b) => b.sim.slot - a.sim.slot).slice(0, current.length - wanted);
        for (const a of extra) this.requestStop(a, now, "alloc not needed due to job update");
      }
      let missing = wanted - current.length;
      const candidates = [...this.world.nodes.values()].filter((n) => this.schedulable(n, job));
      for (const previous of ended.filter((a) => !givenUp(a)).sort((a, b) => (a.sim.terminalAt ?? 0) - (b.sim.terminalAt ?? 0))) {
        if (missing <= 0) break;
        // Its place waits out the reschedule delay; then a replacement takes it, under the job's current spec.
        if (
          now >= (previous.sim.terminalAt ?? now) + this.rescheduleDelay(previous) &&
          !this.tryPlace(job, group, candidates, now, previous)
        )
          break;
        missing--;
      }
      while (missing > 0 && this.tryPlace(job, group, candidates, now)) missing--;
      if (missing > 0) {
        queued[group.Name] = missing;
        failures[group.Name] = this.exhaustion(job, group, candidates);
      }
    }
    this.setQueued(job, queued, failures, now);
    this.updateStatus(job);
  }

  /** How many times the work of `alloc` was rescheduled before it: the allocations it replaced, one after the other. */
  private reschedules(alloc: SimAlloc): number {
    let n = 0;
    for (let a = alloc; a.PreviousAllocation; n++) {
      const previous = this.world.allocs.get(a.PreviousAllocation);
      if (!previous) return n + 1;
      a = previous;
    }
    return n;
  }

  /**
   * Nomad's default reschedule policies: a service allocation after 30 s,
   * doubling up to 1 h; a batch one after 5 s (here the same base, constant);
   * a lost one at once.
   */
  private rescheduleDelay(alloc: SimAlloc): number {
    if (alloc.ClientStatus === "lost") return 0;
    const base = this.timings.rescheduleDelayMs;
    return alloc.JobType === "batch" ? base : Math.min(base * 2 ** this.reschedules(alloc), base * MAX_RESCHEDULE_FACTOR);
  }

  private exhaustion(job: SimJob, group: SimTaskGroup, candidates: SimNode[]): FailedGroup {
    const need = groupResources(group);
    const dims: Record<string, number> = {};
    for (const node of candidates) {
      const used = this.reservedOn(node);
      const cpuFree = node.sim.cores * node.sim.mhzPerCore - node.sim.reservedMhz - used.cpu;
      const memFree = node.sim.memoryMB - node.sim.reservedMemoryMB - used.memoryMB;
      const dim = memFree < need.memoryMB ? "memory" : cpuFree < need.cpu ? "cpu" : null;
      if (dim) dims[dim] = (dims[dim] ?? 0) + 1;
    }
    const total = [...this.world.nodes.values()].filter((n) => n.Status === "ready").length;
    return {
      NodesEvaluated: candidates.length,
      NodesFiltered: Math.max(0, total - candidates.length),
      NodesExhausted: candidates.length,
      DimensionExhausted: dims,
    };
  }

  private setQueued(job: SimJob, queued: Record<string, number>, failures: Record<string, FailedGroup>, now: number) {
    const before = JSON.stringify(job.sim.queued);
    job.sim.queued = queued;
    const blocked = [...this.world.evals.values()].find(
      (e) => e.JobID === job.ID && e.Namespace === job.Namespace && e.Status === "blocked",
    );
    const anyQueued = Object.values(queued).some((n) => n > 0);
    if (anyQueued) {
      const failed = JSON.stringify(failures);
      if (!blocked || JSON.stringify(blocked.FailedTGAllocs) !== failed) {
        const evaluation = blocked ?? {
          ID: this.world.newId(),
          Namespace: job.Namespace,
          JobID: job.ID,
          Type: job.Type,
          TriggeredBy: "queued-allocs",
          Status: "blocked" as const,
          StatusDescription: "created due to placement conflicts",
          FailedTGAllocs: null,
          CreateIndex: 0,
          ModifyIndex: 0,
          CreateTime: nanos(now),
          ModifyTime: nanos(now),
        };
        evaluation.FailedTGAllocs = failures;
        evaluation.ModifyTime = nanos(now);
        const index = this.world.commit(["evals"]);
        if (!blocked) evaluation.CreateIndex = index;
        evaluation.ModifyIndex = index;
        this.world.evals.set(evaluation.ID, evaluation);
      }
    } else if (blocked) {
      blocked.Status = "complete";
      blocked.StatusDescription = "";
      blocked.ModifyIndex = this.world.commit(["evals"]);
    }
    if (JSON.stringify(queued) !== before) this.world.commit(["job_summary"]);
  }

  private updateStatus(job: SimJob) {
    const allocs = this.allocsOf(job);
    const anyLive = allocs.some(isLive);
    let status: SimJob["Status"];
    if (job.Stop) status = anyLive ? "running" : "dead";
    else if (job.Type === "batch" || job.Type === "sysbatch")
      status =
        anyLive || Object.values(job.sim.queued).some((n) => n > 0)
          ? anyLive
            ? "running"
            : "pending"
          : allocs.length
            ? "dead"
            : "pending";
    else status = anyLive ? "running" : "pending";
    if (status === job.Status) return;
    job.Status = status;
    job.ModifyIndex = this.world.index + 1;
    this.world.commit(["jobs"], [this.world.jobEvent(job, "JobRegistered")]);
  }

  /**
   * Places one allocation of `group` (replacing `previous`, if given) on the
   * best node among `candidates` that has room; false when none has.
   */
  private tryPlace(job: SimJob, group: SimTaskGroup, candidates: SimNode[], now: number, previous?: SimAlloc): boolean {
    const need = groupResources(group);
    let best: { node: SimNode; score: number } | null = null;
    for (const node of candidates) {
      const used = this.reservedOn(node);
      const cpuCap = node.sim.cores * node.sim.mhzPerCore - node.sim.reservedMhz;
      const memCap = node.sim.memoryMB - node.sim.reservedMemoryMB;
      if (used.cpu + need.cpu > cpuCap || used.memoryMB + need.memoryMB > memCap) continue;
      // Binpack (fuller is better), but spread one group's allocations as Nomad's job anti-affinity does.
      const fill = ((used.cpu + need.cpu) / cpuCap + (used.memoryMB + need.memoryMB) / memCap) / 2;
      const same = [...this.world.allocs.values()].filter(
        (a) => a.NodeID === node.ID && a.JobID === job.ID && a.TaskGroup === group.Name && isLive(a),
      ).length;
      const score = fill - same * 0.5;
      if (!best || score > best.score) best = { node, score };
    }
    if (!best) return false;
    this.createAlloc(job, group, best.node, now, previous);
    return true;
  }

  private createAlloc(job: SimJob, group: SimTaskGroup, node: SimNode, now: number, previous?: SimAlloc): SimAlloc {
    // Names of allocations on their way out are free again, as in Nomad's name index.
    const taken = new Set(
      this.allocsOf(job)
        .filter((a) => a.TaskGroup === group.Name && isLive(a) && a.DesiredStatus === "run")
        .map((a) => a.sim.slot),
    );
    // A replacement keeps the name (and index) of the allocation it replaces.
    let slot = previous && !taken.has(previous.sim.slot) ? previous.sim.slot : 0;
    while (taken.has(slot)) slot++;
    const deployment = this.activeDeployment(job);
    const dynamic = (group.Networks ?? []).flatMap((n) =>
      (n.DynamicPorts ?? []).map((p) => ({ Label: p.Label, Value: this.world.dynamicPort(), To: p.To })),
    );
    const reserved = (group.Networks ?? []).flatMap((n) => n.ReservedPorts ?? []);
    const jitter = (this.random() * 2 - 1) * this.timings.startJitterMs;
    const failEvery = job.sim.failEvery ?? 0;
    const alloc: SimAlloc = {
      ID: this.world.newId(),
      EvalID: this.world.newId(),
      Name: `${job.ID}.${group.Name}[${slot}]`,
      Namespace: job.Namespace,
      NodeID: node.ID,
      NodeName: node.Name,
      JobID: job.ID,
      JobType: job.Type,
      JobVersion: job.Version,
      TaskGroup: group.Name,
      DesiredStatus: "run",
      DesiredDescription: "",
      ClientStatus: "pending",
      ClientDescription: "No tasks have started",
      PreviousAllocation: previous?.ID ?? "",
      NextAllocation: "",
      // A failed allocation's work is rescheduled; a lost one's is only replaced.
      RescheduleTracker:
        previous?.ClientStatus === "failed"
          ? {
              Events: [
                ...(previous.RescheduleTracker?.Events ?? []),
                {
                  PrevAllocID: previous.ID,
                  PrevNodeID: previous.NodeID,
                  RescheduleTime: nanos(now),
                  Delay: nanos(this.rescheduleDelay(previous)),
                },
              ],
            }
          : null,
      AllocStates: null,
      DeploymentID: deployment?.TaskGroups[group.Name] ? deployment.ID : "",
      DeploymentStatus: null,
      TaskStates: Object.fromEntries(
        group.Tasks.map((t) => [
          t.Name,
          {
            State: "pending",
            Failed: false,
            Restarts: 0,
            LastRestart: null,
            StartedAt: null,
            FinishedAt: null,
            // The client's task directory hook runs once, before the first start.
            Events: [taskEvent("Received", now), taskEvent("Task Setup", now, { message: "Building Task Directory" })],
          } satisfies SimTaskState,
        ]),
      ),
      AllocatedResources: {
        Tasks: Object.fromEntries(
          group.Tasks.map((t) => [
            t.Name,
            { Cpu: { CpuShares: t.Resources.CPU }, Memory: { MemoryMB: t.Resources.MemoryMB, MemoryMaxMB: 0 } },
          ]),
        ),
        Shared: {
          DiskMB: 300,
          Networks: [{ IP: node.Address, DynamicPorts: dynamic }],
          Ports: [...dynamic, ...reserved].map((p) => ({ Label: p.Label, Value: p.Value, To: p.To, HostIP: node.Address })),
        },
      },
      CreateIndex: 0,
      ModifyIndex: 0,
      AllocModifyIndex: 0,
      CreateTime: nanos(now),
      ModifyTime: nanos(now),
      sim: {
        slot,
        spec: job.sim.spec,
        job: structuredClone(wire(job)),
        step: "pull",
        nextAt: now + Math.max(0, this.timings.startMs / 2 + jitter / 2),
        runUntil: null,
        exitAt: null,
        phase: this.random() * Math.PI * 2,
        willFail: failEvery > 0 && slot % failEvery === failEvery - 1,
        terminalAt: null,
        usage: job.sim.usage?.[group.Name] ?? null,
      },
    };
    this.world.allocs.set(alloc.ID, alloc);
    alloc.CreateIndex = this.world.index + 1;
    // Placed by an applied plan: Nomad types the event "PlanResult" (it never emits "AllocationCreated").
    this.save(alloc, now, "PlanResult");
    if (previous) {
      // The state store links the replaced allocation to its replacement in the same plan.
      previous.NextAllocation = alloc.ID;
      this.save(previous, now, "PlanResult");
    }
    const progress = deployment?.TaskGroups[group.Name];
    if (deployment && progress) {
      progress.PlacedAllocs++;
      if (progress.RequireProgressBy === GO_ZERO_TIME) progress.RequireProgressBy = iso(now + this.timings.progressDeadlineMs);
      this.saveDeployment(deployment, now, "PlanResult");
    }
    return alloc;
  }

  // ------------------------------------------------------------ deployments

  /** The job's running deployment, if any. */
  private activeDeployment(job: SimJob): SimDeployment | undefined {
    return [...this.world.deployments.values()].find((d) => d.JobID === job.ID && d.Namespace === job.Namespace && d.Status === "running");
  }

  private saveDeployment(deployment: SimDeployment, now: number, type: string) {
    deployment.ModifyTime = nanos(now);
    deployment.ModifyIndex = this.world.index + 1;
    this.world.commit(["deployments"], [this.world.deploymentEvent(deployment, type)]);
  }

  private endDeployment(deployment: SimDeployment, status: SimDeployment["Status"], description: string, now: number) {
    deployment.Status = status;
    deployment.StatusDescription = description;
    // The deployment watcher writes a DeploymentStatusUpdateRequest.
    this.saveDeployment(deployment, now, "DeploymentStatusUpdate");
  }

  /** A new version of a service job rolls out as a deployment (the default update block: progress deadline, min healthy time). */
  private startDeployment(job: SimJob, now: number) {
    const running = this.activeDeployment(job);
    if (running) this.endDeployment(running, "cancelled", "Cancelled due to newer version of job", now);
    const deployment: SimDeployment = {
      ID: this.world.newId(),
      Namespace: job.Namespace,
      JobID: job.ID,
      JobVersion: job.Version,
      JobModifyIndex: job.ModifyIndex,
      JobSpecModifyIndex: job.JobModifyIndex,
      JobCreateIndex: job.CreateIndex,
      IsMultiregion: false,
      TaskGroups: Object.fromEntries(
        job.TaskGroups.map((g) => [
          g.Name,
          {
            AutoRevert: false,
            AutoPromote: false,
            ProgressDeadline: nanos(this.timings.progressDeadlineMs),
            // Go's zero time until the group's first placement starts the deadline.
            RequireProgressBy: GO_ZERO_TIME,
            Promoted: false,
            PlacedCanaries: null,
            DesiredCanaries: 0,
            DesiredTotal: g.Count,
            PlacedAllocs: 0,
            HealthyAllocs: 0,
            UnhealthyAllocs: 0,
          },
        ]),
      ),
      Status: "running",
      StatusDescription: "Deployment is running",
      EvalPriority: job.Priority,
      CreateIndex: this.world.index + 1,
      ModifyIndex: 0,
      CreateTime: nanos(now),
      ModifyTime: nanos(now),
    };
    this.world.deployments.set(deployment.ID, deployment);
    // Created by the plan of the job's evaluation.
    this.saveDeployment(deployment, now, "PlanResult");
  }

  /**
   * What the client's health watcher and the deployment watcher do: an
   * allocation of the deployment is healthy once its tasks have all run for
   * the minimum healthy time (a restart starts that over), unhealthy once it
   * failed; a group's progress deadline starts with its first placement and
   * each healthy allocation pushes it on. The deployment succeeds when every
   * group has its healthy allocations, and fails when a group's deadline
   * passes first.
   */
  private watchDeployment(deployment: SimDeployment, now: number) {
    const job = this.world.job(deployment.Namespace, deployment.JobID);
    if (!job) return;
    for (const alloc of this.allocsOf(job)) {
      const progress = deployment.TaskGroups[alloc.TaskGroup];
      if (alloc.DeploymentID !== deployment.ID || !progress || alloc.DeploymentStatus?.Healthy != null) continue;
      const tasks = Object.values(alloc.TaskStates);
      const healthy =
        alloc.ClientStatus === "running" &&
        tasks.every((t) => t.State === "running" && t.StartedAt !== null && now - Date.parse(t.StartedAt) >= this.timings.minHealthyMs);
      const unhealthy = alloc.ClientStatus === "failed" || alloc.ClientStatus === "lost";
      if (!healthy && !unhealthy) continue;
      alloc.DeploymentStatus = { Healthy: healthy, Timestamp: iso(now), Canary: false, ModifyIndex: this.world.index + 1 };
      if (healthy) {
        progress.HealthyAllocs++;
        progress.RequireProgressBy = iso(now + this.timings.progressDeadlineMs);
      } else {
        progress.UnhealthyAllocs++;
        for (const t of tasks.filter((x) => x.Failed)) {
          t.Events.push(taskEvent("Alloc Unhealthy", now, { message: "Unhealthy because of failed task" }));
          this.trimEvents(t);
        }
      }
      this.save(alloc, now, "AllocationUpdated");
      this.saveDeployment(deployment, now, "DeploymentAllocHealth");
    }
    const groups = Object.values(deployment.TaskGroups);
    if (groups.every((g) => g.HealthyAllocs >= g.DesiredTotal))
      this.endDeployment(deployment, "successful", "Deployment completed successfully", now);
    else if (groups.some((g) => g.RequireProgressBy !== GO_ZERO_TIME && now > Date.parse(g.RequireProgressBy)))
      this.endDeployment(deployment, "failed", "Failed due to progress deadline", now);
  }

  private registerServices(alloc: SimAlloc, job: SimJob | undefined) {
    const group = job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
    const node = this.world.nodes.get(alloc.NodeID);
    if (!group || !node) return;
    const specs = [...(group.Services ?? []), ...group.Tasks.flatMap((t) => t.Services ?? [])].filter((s) => s.Provider === "nomad");
    for (const spec of specs) {
      const port = alloc.AllocatedResources.Shared.Ports.find((p) => p.Label === spec.PortLabel)?.Value ?? 0;
      const reg: SimServiceRegistration = {
        ID: `_nomad-task-${alloc.ID}-group-${group.Name}-${spec.Name}-${spec.PortLabel}`,
        ServiceName: spec.Name,
        Namespace: alloc.Namespace,
        NodeID: node.ID,
        Datacenter: node.Datacenter,
        JobID: alloc.JobID,
        AllocID: alloc.ID,
        Tags: spec.Tags ?? [],
        Address: node.Address,
        Port: port,
        CreateIndex: 0,
        ModifyIndex: 0,
      };
      reg.CreateIndex = reg.ModifyIndex = this.world.index + 1;
      this.world.services.set(reg.ID, reg);
      this.world.commit(["services"], [this.world.serviceEvent(reg, "ServiceRegistration")]);
    }
  }

  private deregisterServices(alloc: SimAlloc) {
    for (const reg of [...this.world.services.values()]) {
      if (reg.AllocID !== alloc.ID) continue;
      this.world.services.delete(reg.ID);
      this.world.commit(["services"], [this.world.serviceEvent(reg, "ServiceDeregistration")]);
    }
  }

  // ------------------------------------------------------------ operations (the HTTP layer validates first)

  /**
   * Sets a group's count as POST /v1/job/:id/scale does (nomad/job_endpoint.go
   * Job.Scale): three writes, the job (JobModifyIndex), a "scaling"
   * evaluation (EvalCreateIndex), then the scaling event (Index). The next
   * tick places or stops allocations.
   */
  scale(
    job: SimJob,
    group: SimTaskGroup,
    count: number,
    now = Date.now(),
  ): { evalId: string; jobModifyIndex: number; evalCreateIndex: number; index: number } {
    group.Count = count;
    job.Version++;
    job.SubmitTime = nanos(now);
    const jobModifyIndex = this.world.index + 1;
    job.ModifyIndex = jobModifyIndex;
    job.JobModifyIndex = jobModifyIndex;
    this.world.commit(["jobs"], [this.world.jobEvent(job, "JobRegistered")]);
    // The evaluation is processed at once; only its event is kept (Nomad garbage-collects evaluations too).
    const evaluation: SimEvaluation = {
      ID: this.world.newId(),
      Namespace: job.Namespace,
      JobID: job.ID,
      Type: job.Type,
      TriggeredBy: "scaling",
      Status: "complete",
      StatusDescription: "",
      FailedTGAllocs: null,
      CreateIndex: this.world.index + 1,
      ModifyIndex: this.world.index + 1,
      CreateTime: nanos(now),
      ModifyTime: nanos(now),
    };
    const evalCreateIndex = this.world.commit(["evals"], [this.world.evalEvent(evaluation)]);
    const index = this.world.commit([]);
    return { evalId: evaluation.ID, jobModifyIndex, evalCreateIndex, index };
  }

  /**
   * Registers a new version of a job, as POST /v1/job/:id does with an
   * edited spec: `change` edits it (an image, a command, a count); the next
   * ticks replace the allocations placed under the old one, and a service
   * job rolls the new version out as a deployment.
   */
  updateJob(job: SimJob, change: (job: SimJob) => void, now = Date.now()): void {
    change(job);
    job.Version++;
    job.SubmitTime = nanos(now);
    job.sim.spec++;
    job.ModifyIndex = job.JobModifyIndex = this.world.index + 1;
    this.world.commit(["jobs", "job_summary"], [this.world.jobEvent(job, "JobRegistered")]);
    if (job.Type === "service") this.startDeployment(job, now);
  }

  /** DELETE /v1/job/:id: stops the job (Stop = true); with purge, also forgets it. Allocations stop on the next ticks. */
  deregister(job: SimJob, purge: boolean, now = Date.now()): { evalId: string; index: number } {
    job.Stop = true;
    const index = this.world.index + 1;
    job.ModifyIndex = index;
    job.JobModifyIndex = index;
    this.world.commit(["jobs", "job_summary"], [this.world.jobEvent(job, "JobDeregistered")]);
    const running = this.activeDeployment(job);
    if (running) this.endDeployment(running, "cancelled", "Cancelled because job is stopped", now);
    if (purge) {
      for (const a of this.allocsOf(job))
        if (isLive(a) && a.DesiredStatus === "run") this.requestStop(a, now, "alloc not needed since job purged");
      this.world.jobs.delete(NomadWorld.jobKey(job.Namespace, job.ID));
      for (const e of [...this.world.evals.values()])
        if (e.JobID === job.ID && e.Namespace === job.Namespace) this.world.evals.delete(e.ID);
      this.world.commit(["jobs", "job_summary", "evals"]);
    }
    return { evalId: this.world.newId(), index };
  }

  /** Fault hook: a client goes down (its allocations are lost and replaced elsewhere) or comes back. */
  setNodeStatus(nodeId: string, status: SimNode["Status"], now = Date.now()) {
    const node = this.world.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    node.Status = status;
    node.StatusDescription = status === "down" ? "node heartbeat missed" : "";
    node.ModifyIndex = this.world.index + 1;
    // A status update is a NodeUpdateStatusRequest: Nomad types its event "NodeStreamEvent".
    this.world.commit(["nodes"], [this.world.nodeEvent(node, "NodeStreamEvent")]);
    if (status === "down") {
      for (const a of [...this.world.allocs.values()]) {
        if (a.NodeID !== nodeId || !isLive(a)) continue;
        a.DesiredStatus = "stop";
        a.DesiredDescription = "alloc is lost since its node is down";
        appendState(a, "lost", now);
        this.finish(a, "lost", now, "unreported");
      }
    }
  }

  setNodeEligibility(nodeId: string, eligible: boolean) {
    const node = this.world.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    node.SchedulingEligibility = eligible ? "eligible" : "ineligible";
    node.ModifyIndex = this.world.index + 1;
    // nomad/state/events.go maps a NodeUpdateEligibilityRequest to "NodeDrain".
    this.world.commit(["nodes"], [this.world.nodeEvent(node, "NodeDrain")]);
  }
}

/** Plan.AppendStoppedAlloc's record of a stop: the ClientStatus it sets, or "" when it sets none. */
function appendState(alloc: SimAlloc, value: string, now: number) {
  alloc.AllocStates = [...(alloc.AllocStates ?? []), { Field: 0, Value: value, Time: iso(now) }];
}

/** The spec of one task of an allocation, in the job it was placed under. */
function taskSpec(alloc: SimAlloc, name: string): SimTaskSpec | undefined {
  return alloc.sim.job.TaskGroups.find((g) => g.Name === alloc.TaskGroup)?.Tasks.find((t) => t.Name === name);
}
