import {
  NomadWorld,
  type SimAlloc,
  type SimEvaluation,
  type SimJob,
  type SimNode,
  type SimServiceRegistration,
  type SimTaskGroup,
  type SimTaskState,
} from "./state";
import { oomKilledSince } from "./usage";

/**
 * The simulated Nomad scheduler and clients: places task groups on clients
 * that have room (binpacking, with a penalty for stacking one group on a
 * node), queues what does not fit with a blocked evaluation saying which
 * dimension was exhausted, moves allocations pending → running → complete
 * over a few seconds, stops what is no longer wanted, registers Nomad-native
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
}

export const DEFAULT_TIMINGS: SchedulerTimings = {
  startMs: 3000,
  startJitterMs: 1200,
  stopMs: 1500,
  batchRunMs: 45_000,
  gcMs: 120_000,
  restartsPerMinute: 0,
};

const LIVE = new Set(["pending", "running"]);
const BATCH_RESCHEDULES = 1;
const nanos = (ms: number) => ms * 1_000_000;

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
  }

  /** Moves one allocation along its lifecycle. */
  private advance(alloc: SimAlloc, now: number, elapsedMin: number, previousTick: number) {
    const job = this.world.job(alloc.Namespace, alloc.JobID);
    if (alloc.ClientStatus === "pending") {
      if (alloc.DesiredStatus !== "run") return this.finish(alloc, "complete", now, "Task not needed");
      if (now < alloc.sim.nextAt) return;
      const tasks = Object.values(alloc.TaskStates);
      if (tasks[0] && tasks[0].Events.length < 2) {
        // Half way: the driver pulls the image.
        for (const [name, state] of Object.entries(alloc.TaskStates)) {
          const image = String(
            job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup)?.Tasks.find((t) => t.Name === name)?.Config.image ?? "",
          );
          state.Events.push(taskEvent("Driver", now, image ? `Downloading image ${image}` : "Building task directory"));
        }
        alloc.ClientDescription = "Tasks are starting";
        alloc.sim.nextAt = now + this.timings.startMs / 2;
        return this.save(alloc, now, "AllocationUpdated");
      }
      for (const state of Object.values(alloc.TaskStates)) {
        state.State = "running";
        state.StartedAt = new Date(now).toISOString();
        state.Events.push(taskEvent("Started", now, "Task started by client"));
      }
      alloc.ClientStatus = "running";
      alloc.ClientDescription = "Tasks are running";
      if (job?.Type === "batch") alloc.sim.runUntil = now + this.timings.batchRunMs * (0.8 + 0.4 * this.random());
      this.save(alloc, now, "AllocationUpdated");
      this.registerServices(alloc, job);
      return;
    }
    if (alloc.ClientStatus === "running") {
      if (alloc.DesiredStatus !== "run") {
        if (now >= alloc.sim.nextAt) this.finish(alloc, "complete", now, "Task successfully killed");
        return;
      }
      if (alloc.sim.runUntil !== null && now >= alloc.sim.runUntil) {
        return this.finish(alloc, alloc.sim.willFail ? "failed" : "complete", now, alloc.sim.willFail ? "Exit Code: 1" : "Exit Code: 0");
      }
      if (job?.Type === "service" && oomKilledSince(alloc, previousTick, now)) {
        // A leaking task reached its memory limit: the docker driver reports the OOM kill, and the task restarts.
        const state = Object.values(alloc.TaskStates)[0];
        if (state) {
          state.Events.push(
            taskEvent("Terminated", now, 'Exit Code: 137, Exit Message: "OOM Killed"', {
              exit_code: "137",
              signal: "0",
              oom_killed: "true",
            }),
          );
          this.restart(alloc, state, now);
        }
      } else if (
        job?.Type === "service" &&
        this.timings.restartsPerMinute > 0 &&
        this.random() < this.timings.restartsPerMinute * elapsedMin
      ) {
        const state = Object.values(alloc.TaskStates)[0];
        if (state) {
          // Not an OOM kill, which only the leaking workloads show.
          state.Events.push(taskEvent("Terminated", now, "Exit Code: 1", { exit_code: "1", signal: "0" }));
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

  private restart(alloc: SimAlloc, state: SimTaskState, now: number) {
    state.Restarts++;
    state.LastRestart = new Date(now).toISOString();
    state.Events.push(taskEvent("Restarting", now, "Task restarting in 15s", { restart_reason: "Restart within policy" }));
    state.Events.push(taskEvent("Started", now, "Task started by client"));
    this.trimEvents(state);
    this.save(alloc, now, "AllocationUpdated");
  }

  private trimEvents(state: SimTaskState) {
    if (state.Events.length > 10) state.Events.splice(0, state.Events.length - 10);
  }

  /** A terminal client status; a client reports complete and failed ("AllocationUpdated"), the scheduler marks lost ("PlanResult"). */
  private finish(alloc: SimAlloc, status: "complete" | "failed" | "lost", now: number, message: string) {
    alloc.ClientStatus = status;
    alloc.ClientDescription =
      status === "complete" ? "All tasks have completed" : status === "failed" ? "Failed tasks" : "alloc is lost since its node is down";
    for (const state of Object.values(alloc.TaskStates)) {
      state.State = "dead";
      state.Failed = status !== "complete";
      state.FinishedAt = new Date(now).toISOString();
      state.Events.push(taskEvent(status === "failed" ? "Terminated" : "Killed", now, message));
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
    alloc.sim.nextAt = now + this.timings.stopMs;
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
        for (const a of live)
          if (!targets.some((n) => n.ID === a.NodeID)) this.requestStop(a, now, "alloc not needed as node is no longer eligible");
        for (const node of targets) {
          if (live.some((a) => a.NodeID === node.ID)) continue;
          if (job.Type === "sysbatch" && allocs.some((a) => a.TaskGroup === group.Name && a.NodeID === node.ID)) continue;
          if (!this.tryPlace(job, group, [node], now)) {
            queued[group.Name] = (queued[group.Name] ?? 0) + 1;
            failures[group.Name] = this.exhaustion(job, group, [node]);
          }
        }
        continue;
      }
      // A batch group is done with its completed allocations; a failed one is rescheduled once (Nomad's default batch
      // reschedule policy allows one attempt a day), after which failures count as done.
      const mine = allocs.filter((a) => a.TaskGroup === group.Name);
      const failed = mine.filter((a) => a.ClientStatus === "failed").length;
      const done =
        job.Type === "batch" ? mine.filter((a) => a.ClientStatus === "complete").length + Math.max(0, failed - BATCH_RESCHEDULES) : 0;
      const wanted = Math.max(0, group.Count - done);
      if (live.length > wanted) {
        const extra = [...live].sort((a, b) => b.sim.slot - a.sim.slot).slice(0, live.length - wanted);
        for (const a of extra) this.requestStop(a, now, "alloc not needed due to job update");
      }
      let missing = wanted - live.length;
      const candidates = [...this.world.nodes.values()].filter((n) => this.schedulable(n, job));
      while (missing > 0 && this.tryPlace(job, group, candidates, now)) missing--;
      if (missing > 0) {
        queued[group.Name] = missing;
        failures[group.Name] = this.exhaustion(job, group, candidates);
      }
    }
    this.setQueued(job, queued, failures, now);
    this.updateStatus(job);
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

  /** Places one allocation of `group` on the best node among `candidates` that has room; false when none has. */
  private tryPlace(job: SimJob, group: SimTaskGroup, candidates: SimNode[], now: number): boolean {
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
    this.createAlloc(job, group, best.node, now);
    return true;
  }

  private createAlloc(job: SimJob, group: SimTaskGroup, node: SimNode, now: number): SimAlloc {
    const taken = new Set(
      this.allocsOf(job)
        .filter((a) => a.TaskGroup === group.Name && isLive(a))
        .map((a) => a.sim.slot),
    );
    let slot = 0;
    while (taken.has(slot)) slot++;
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
            Events: [taskEvent("Received", now, "Task received by client")],
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
        nextAt: now + Math.max(0, this.timings.startMs / 2 + jitter / 2),
        runUntil: null,
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
    return alloc;
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

  /** DELETE /v1/job/:id: stops the job (Stop = true); with purge, also forgets it. Allocations stop on the next ticks. */
  deregister(job: SimJob, purge: boolean, now = Date.now()): { evalId: string; index: number } {
    job.Stop = true;
    const index = this.world.index + 1;
    job.ModifyIndex = index;
    job.JobModifyIndex = index;
    this.world.commit(["jobs", "job_summary"], [this.world.jobEvent(job, "JobDeregistered")]);
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
        this.finish(a, "lost", now, "Node is down");
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

function taskEvent(type: string, now: number, message: string, details?: Record<string, string>) {
  return { Type: type, Time: nanos(now), DisplayMessage: message, Message: "", ...(details ? { Details: details } : {}) };
}
