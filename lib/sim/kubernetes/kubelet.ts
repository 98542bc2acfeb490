/**
 * The kubelets of all nodes at once: a bound pod goes ContainerCreating →
 * Running (with a pod IP from its node's CIDR) → Ready over the configured
 * timings, crash-looping containers cycle through CrashLoopBackOff, images
 * from an unresolvable registry stay in ErrImagePull/ImagePullBackOff, a
 * terminating pod is removed after terminateMs, and pods on a node that is
 * not ready stop progressing and turn not ready.
 */

import type { ContainerStatus, NodeObject, Pod } from "./types";
import { hashString, kubeTime } from "./random";
import { RESOURCE, type ControlContext, type PodRuntime } from "./control-context";
import { setPodReady } from "./pod-actions";
import { isReady, isTerminated, isTerminating, nodeReady } from "./object-helpers";
import { lastOomKill, nextOomKill, oomKillTimes, podModels, type ContainerModel } from "./metrics";

interface OomState {
  kills: number;
  lastKill: number;
  previousStart: number;
}

export class Kubelet {
  /** Last host octet handed out per node. */
  private readonly nextPodIp = new Map<string, number>();

  constructor(private readonly ctx: ControlContext) {}

  reconcile(): void {
    const { store, runtime } = this.ctx;
    const instant = this.ctx.bootstrapping();
    const { startMs, readyMs, terminateMs } = this.ctx.options.timings;
    const nodes = new Map(store.list<NodeObject>(RESOURCE.node).map((n) => [n.metadata.name, n]));
    for (const pod of store.list<Pod>(RESOURCE.pod)) {
      const rt = runtime.get(pod.metadata.uid) ?? {};
      runtime.set(pod.metadata.uid, rt);
      const now = this.ctx.now();
      if (isTerminating(pod)) {
        const since = rt.deletingAt ?? Date.parse(pod.metadata.deletionTimestamp!) - pod.spec.terminationGracePeriodSeconds * 1000;
        this.ctx.due(since + terminateMs);
        if (instant || now - since >= terminateMs || !pod.spec.nodeName) {
          store.delete(RESOURCE.pod, pod.metadata.namespace, pod.metadata.name);
          runtime.delete(pod.metadata.uid);
        }
        continue;
      }
      const node = pod.spec.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
      if (!node || isTerminated(pod)) continue;
      if (!nodeReady(node)) {
        // The kubelet is gone: nothing progresses there, and the node lifecycle controller marks its pods not ready.
        if (isReady(pod)) {
          setPodReady(pod, false, this.ctx.now(), "NodeNotReady");
          store.put(pod);
        }
        continue;
      }
      rt.scheduledAt ??= now;
      const image = (name: string) => pod.spec.containers.find((c) => c.name === name)!.image;
      const containerStatus = (name: string, state: ContainerStatus["state"], ready: boolean, oom?: OomState): ContainerStatus => {
        const restarts = (rt.restarts ?? 0) + (oom?.kills ?? 0);
        const lastState: ContainerStatus["lastState"] = oom?.kills
          ? {
              terminated: {
                exitCode: 137,
                reason: "OOMKilled",
                startedAt: kubeTime(oom.previousStart),
                finishedAt: kubeTime(oom.lastKill),
              },
            }
          : restarts > 0 && state.running
            ? { terminated: { exitCode: 137, reason: "OOMKilled", startedAt: pod.status.startTime, finishedAt: state.running.startedAt } }
            : {};
        return {
          name,
          image: image(name),
          imageID: `${image(name).split(":")[0]}@sha256:${hashString(image(name)).toString(16).padStart(8, "0").repeat(8)}`,
          ...(state.running
            ? {
                containerID: `containerd://${hashString(pod.metadata.uid + name + (oom?.kills ? oom.kills : ""))
                  .toString(16)
                  .padStart(8, "0")
                  .repeat(8)}`,
              }
            : {}),
          ready,
          started: state.running !== undefined,
          restartCount: restarts,
          state,
          lastState,
        };
      };
      pod.status.hostIP = node.status.addresses.find((a) => a.type === "InternalIP")?.address;
      pod.status.hostIPs = pod.status.hostIP ? [{ ip: pod.status.hostIP }] : undefined;
      pod.status.startTime ??= kubeTime(rt.scheduledAt);
      const unpullable = pod.spec.containers.filter((c) => unpullableImage(c.image));
      if (pod.status.phase === "Pending" && unpullable.length && (instant || now - rt.scheduledAt >= startMs)) {
        this.failPull(pod, node, rt, unpullable, containerStatus, now);
        store.put(pod);
        continue;
      }
      if (pod.status.phase === "Pending" && (instant || now - rt.scheduledAt >= startMs)) {
        rt.runningAt = now;
        for (const c of pod.spec.containers) {
          const at = { controller: "kubelet", host: node.metadata.name, fieldPath: `spec.containers{${c.name}}` };
          this.ctx.event(pod, { ...at, reason: "Pulled", note: `Container image "${c.image}" already present on machine` });
          this.ctx.event(pod, { ...at, reason: "Created", note: `Created container ${c.name}` });
          this.ctx.event(pod, { ...at, reason: "Started", note: `Started container ${c.name}` });
        }
        pod.status.phase = "Running";
        pod.status.podIP = this.allocatePodIp(node);
        pod.status.podIPs = [{ ip: pod.status.podIP }];
      }
      if (pod.status.phase === "Pending") {
        this.ctx.due(rt.scheduledAt + startMs);
        pod.status.containerStatuses = pod.spec.containers.map((c) =>
          containerStatus(c.name, { waiting: { reason: "ContainerCreating" } }, false),
        );
        setPodReady(pod, false, this.ctx.now());
      } else {
        rt.runningAt ??= now;
        if (rt.crashLoop) {
          this.crashLoop(pod, rt, now);
          store.put(pod);
          continue;
        }
        const ready = instant || rt.readyAt !== undefined || now - rt.runningAt >= readyMs;
        if (ready) rt.readyAt ??= now;
        else this.ctx.due(rt.runningAt + readyMs);
        const existing = pod.status.containerStatuses?.find((c) => c.state.running);
        const startedAt = existing?.state.running?.startedAt ?? kubeTime(rt.runningAt);
        const models = this.ctx.options.profileOf ? podModels(pod, this.ctx.options.profileOf(pod)) : [];
        pod.status.containerStatuses = pod.spec.containers.map((c) => {
          const oom = this.oomKills(
            pod,
            node,
            rt,
            models.find((m) => m.name === c.name),
            now,
          );
          return containerStatus(c.name, { running: { startedAt: oom?.kills ? kubeTime(oom.lastKill) : startedAt } }, ready, oom);
        });
        setPodReady(pod, ready, this.ctx.now());
      }
      store.put(pod);
    }
  }

  /**
   * A leaking container's OOM kills since the pod started running, as the
   * usage model schedules them (so the kills the kubelet reports are where the
   * memory curve hits the limit); a Warning event for each new one.
   */
  private oomKills(pod: Pod, node: NodeObject, rt: PodRuntime, m: ContainerModel | undefined, now: number): OomState | undefined {
    if (!m?.leakPeriodMs) return undefined;
    const kills = oomKillTimes(m, rt.runningAt!, now).length;
    this.ctx.due(nextOomKill(m, now));
    if (kills === 0) return undefined;
    const lastKill = lastOomKill(m, now);
    const reported = rt.oomKills?.[m.name] ?? 0;
    if (kills > reported) {
      rt.oomKills = { ...rt.oomKills, [m.name]: kills };
      this.ctx.event(pod, {
        type: "Warning",
        reason: "OOMKilling",
        note: `Memory cgroup out of memory: container ${m.name} was OOMKilled at its memory limit (${Math.round(m.memLimit / 2 ** 20)}Mi); restarting`,
        controller: "kubelet",
        host: node.metadata.name,
        fieldPath: `spec.containers{${m.name}}`,
      });
    }
    return { kills, lastKill, previousStart: kills > 1 ? lastKill - m.leakPeriodMs : rt.runningAt! };
  }

  private allocatePodIp(node: NodeObject): string {
    const next = (this.nextPodIp.get(node.metadata.name) ?? 1) + 1;
    this.nextPodIp.set(node.metadata.name, next > 254 ? 2 : next);
    const cidr = node.spec.podCIDR ?? "10.244.0.0/24";
    const [a, b, c] = cidr.split("/")[0].split(".");
    return `${a}.${b}.${c}.${next}`;
  }

  /**
   * Images the node cannot pull stay Pending: ErrImagePull on the first try,
   * then ImagePullBackOff between retries, each with the kubelet's events.
   */
  private failPull(
    pod: Pod,
    node: NodeObject,
    rt: PodRuntime,
    unpullable: Pod["spec"]["containers"],
    containerStatus: (name: string, state: ContainerStatus["state"], ready: boolean) => ContainerStatus,
    now: number,
  ): void {
    const { startMs } = this.ctx.options.timings;
    const retry = 10 * startMs;
    const tries = Math.floor((now - rt.scheduledAt! - startMs) / retry) + 1;
    this.ctx.due(rt.scheduledAt! + startMs + tries * retry);
    const backOff = now - rt.scheduledAt! - startMs - (tries - 1) * retry > startMs;
    const failed = new Set(unpullable.map((c) => c.name));
    pod.status.containerStatuses = pod.spec.containers.map((c) => {
      if (!failed.has(c.name)) return containerStatus(c.name, { waiting: { reason: "ContainerCreating" } }, false);
      const message = backOff ? `Back-off pulling image "${c.image}"` : pullError(c.image);
      return containerStatus(c.name, { waiting: { reason: backOff ? "ImagePullBackOff" : "ErrImagePull", message } }, false);
    });
    if ((rt.pullTries ?? 0) < tries) {
      rt.pullTries = tries;
      for (const c of unpullable) {
        const at = { controller: "kubelet", host: node.metadata.name, fieldPath: `spec.containers{${c.name}}`, type: "Warning" as const };
        this.ctx.event(pod, { ...at, reason: "Failed", note: `Failed to pull image "${c.image}": ${pullError(c.image)}` });
        this.ctx.event(pod, { ...at, reason: "BackOff", note: `Back-off pulling image "${c.image}"` });
      }
    }
    setPodReady(pod, false, this.ctx.now());
  }

  /** A container that exits with an error shortly after each start: brief runs, then CrashLoopBackOff. */
  private crashLoop(pod: Pod, rt: PodRuntime, now: number): void {
    const { startMs, readyMs } = this.ctx.options.timings;
    const period = 15 * (startMs + readyMs);
    const elapsed = Math.max(0, now - rt.runningAt!);
    const cycle = Math.floor(elapsed / period);
    const cycleStart = rt.runningAt! + cycle * period;
    const running = elapsed - cycle * period < period * 0.2;
    this.ctx.due(running ? cycleStart + period * 0.2 : cycleStart + period);
    if (!running && (rt.backOffCycle ?? -1) < cycle) {
      rt.backOffCycle = cycle;
      for (const c of pod.spec.containers) {
        this.ctx.event(pod, {
          type: "Warning",
          reason: "BackOff",
          note: `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          controller: "kubelet",
          host: pod.spec.nodeName,
          fieldPath: `spec.containers{${c.name}}`,
        });
      }
    }
    pod.status.containerStatuses = pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${c.image.split(":")[0]}@sha256:${hashString(c.image).toString(16).padStart(8, "0").repeat(8)}`,
      containerID: `containerd://${hashString(`${pod.metadata.uid}${c.name}${cycle}`).toString(16).padStart(8, "0").repeat(8)}`,
      ready: false,
      started: running,
      restartCount: cycle + (rt.restarts ?? 0),
      state: running
        ? { running: { startedAt: kubeTime(cycleStart) } }
        : {
            waiting: {
              reason: "CrashLoopBackOff",
              message: `back-off ${Math.round(period / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
            },
          },
      lastState:
        cycle > 0 || !running
          ? {
              terminated: {
                exitCode: 1,
                reason: "Error",
                startedAt: kubeTime(running ? cycleStart - period : cycleStart),
                finishedAt: kubeTime(running ? cycleStart - period * 0.8 : cycleStart + period * 0.2),
              },
            }
          : {},
    }));
    setPodReady(pod, false, this.ctx.now());
  }
}

/**
 * Registries under the reserved .invalid domain (RFC 2606) never resolve, so
 * no node can pull from them: how a test or a demo asks for a pull error.
 */
function unpullableImage(image: string): boolean {
  const host = image.split("/")[0];
  return image.includes("/") && /\.invalid(:\d+)?$/.test(host);
}

function pullError(image: string): string {
  const host = image.split("/")[0].replace(/:\d+$/, "");
  return `rpc error: code = Unknown desc = failed to resolve reference "${image}": dial tcp: lookup ${host}: no such host`;
}
