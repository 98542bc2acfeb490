import type { NomadWorld, SimJob, SimNode, SimServiceSpec, SimTaskGroup, SimTaskSpec, UsageProfile } from "./state";

/** Builders for simulated clients and jobs, shared by the demo content and the tests. */

export interface ClientSpec {
  name: string;
  datacenter: string;
  cores: number;
  mhzPerCore: number;
  memoryGiB: number;
  nodeClass?: string;
  nodePool?: string;
  meta?: Record<string, string>;
  reservedMhz?: number;
  reservedMemoryMB?: number;
  address?: string;
  cpuModel?: string;
}

export function addClient(world: NomadWorld, spec: ClientSpec): SimNode {
  const id = world.newId();
  const memoryMB = Math.round(spec.memoryGiB * 1024);
  const address = spec.address ?? `10.${world.nodes.size + 1}.0.${10 + world.nodes.size}`;
  const index = world.index + 1;
  const node: SimNode = {
    ID: id,
    Name: spec.name,
    Datacenter: spec.datacenter,
    NodeClass: spec.nodeClass ?? "",
    NodePool: spec.nodePool ?? "default",
    Status: "ready",
    StatusDescription: "",
    SchedulingEligibility: "eligible",
    Drain: false,
    HTTPAddr: `${address}:4646`,
    Address: address,
    Attributes: {
      "cpu.arch": "amd64",
      "cpu.frequency": String(spec.mhzPerCore),
      "cpu.modelname": spec.cpuModel ?? "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
      "cpu.numcores": String(spec.cores),
      "cpu.totalcompute": String(spec.cores * spec.mhzPerCore),
      "cpu.usablecompute": String(spec.cores * spec.mhzPerCore),
      "cpu.reservablecores": String(spec.cores),
      "driver.docker": "1",
      "driver.docker.version": "27.3.1",
      "driver.exec": "1",
      "kernel.name": "linux",
      "kernel.version": "6.8.0-1019-aws",
      "memory.totalbytes": String(memoryMB * 1024 * 1024),
      "nomad.advertise.address": `${address}:4646`,
      "nomad.version": world.version,
      "os.name": "ubuntu",
      "os.version": "24.04",
      "os.signals":
        "SIGABRT,SIGALRM,SIGBUS,SIGCHLD,SIGCONT,SIGFPE,SIGHUP,SIGILL,SIGINT,SIGIO,SIGKILL,SIGPIPE,SIGQUIT,SIGSEGV,SIGSTOP,SIGTERM",
      "unique.hostname": spec.name,
      "unique.network.ip-address": address,
      "unique.storage.volume": "/dev/nvme0n1p1",
    },
    Meta: { ...(spec.meta ?? {}) },
    CreateIndex: index,
    ModifyIndex: index,
    sim: {
      cores: spec.cores,
      mhzPerCore: spec.mhzPerCore,
      memoryMB,
      reservedMhz: spec.reservedMhz ?? 500,
      reservedMemoryMB: spec.reservedMemoryMB ?? 512,
      registeredAt: new Date().toISOString(),
      phase: (world.nodes.size * 1.7) % (Math.PI * 2),
    },
  };
  world.nodes.set(id, node);
  world.commit(["nodes"], [world.nodeEvent(node, "NodeRegistration")]);
  return node;
}

export interface GroupSpec {
  name: string;
  count: number;
  /**
   * A docker image, or an exec command. An image from a registry under
   * .invalid cannot be pulled, and the command `false` exits at once (see
   * task-failures.ts).
   */
  tasks: ({ name: string; cpu: number; memoryMB: number; driver?: string } & ({ image: string } | { command: string }))[];
  meta?: Record<string, string>;
  scaling?: { min: number; max: number; policy?: Record<string, unknown> };
  /** Services: provider nomad registers on running allocations; consul ones are only declared. */
  services?: { name: string; port: string; provider?: "nomad" | "consul"; tags?: string[] }[];
  /** Port labels: dynamic unless a static value is given. */
  ports?: { label: string; to?: number; static?: number }[];
  /** How its allocations use what they reserve; the usual share when absent. */
  usage?: UsageProfile;
  /** Volumes of the group, each mounted by the named tasks (all of them when none are named) at `destination`. */
  volumes?: {
    name: string;
    type: "host" | "csi";
    source: string;
    destination: string;
    readOnly?: boolean;
    /** CSI only: single-node-writer and the like, and file-system or block-device. */
    accessMode?: string;
    attachmentMode?: string;
    perAlloc?: boolean;
    tasks?: string[];
  }[];
}

export interface JobSpec {
  id: string;
  namespace?: string;
  type?: SimJob["Type"];
  datacenters: string[];
  /** Default "default"; "all" for every pool. */
  nodePool?: string;
  meta?: Record<string, string>;
  groups: GroupSpec[];
  /** Batch: allocations whose slot index is failEvery-1 modulo failEvery exit 1. */
  failEvery?: number;
}

function mountsOf(g: GroupSpec, task: string): SimTaskSpec["VolumeMounts"] {
  const mounts = (g.volumes ?? [])
    .filter((v) => !v.tasks || v.tasks.includes(task))
    .map((v) => ({ Volume: v.name, Destination: v.destination, ReadOnly: v.readOnly ?? false, PropagationMode: "private" }));
  return mounts.length ? mounts : null;
}

export function addJob(world: NomadWorld, spec: JobSpec): SimJob {
  const namespace = spec.namespace ?? "default";
  world.namespaces.add(namespace);
  const index = world.index + 1;
  const groups: SimTaskGroup[] = spec.groups.map((g) => ({
    Name: g.name,
    Count: g.count,
    Meta: g.meta ?? null,
    Scaling: g.scaling ? { Min: g.scaling.min, Max: g.scaling.max, Enabled: true, Policy: g.scaling.policy ?? null } : null,
    Networks: g.ports?.length
      ? [
          {
            Mode: "host",
            DynamicPorts: g.ports.filter((p) => p.static === undefined).map((p) => ({ Label: p.label, Value: 0, To: p.to ?? 0 })),
            ReservedPorts: g.ports
              .filter((p) => p.static !== undefined)
              .map((p) => ({ Label: p.label, Value: p.static ?? 0, To: p.to ?? 0 })),
          },
        ]
      : null,
    Services: (g.services ?? []).map((s): SimServiceSpec => ({
      Name: s.name,
      PortLabel: s.port,
      Provider: s.provider ?? "nomad",
      Tags: s.tags ?? null,
    })),
    Tasks: g.tasks.map((t) => ({
      Name: t.name,
      Driver: t.driver ?? ("image" in t ? "docker" : "exec"),
      Config: "image" in t ? { image: t.image, ports: (g.ports ?? []).map((p) => p.label) } : { command: t.command, args: [] },
      Resources: { CPU: t.cpu, MemoryMB: t.memoryMB },
      Services: null,
      VolumeMounts: mountsOf(g, t.name),
    })),
    Volumes: g.volumes?.length
      ? Object.fromEntries(
          g.volumes.map((v) => [
            v.name,
            {
              Name: v.name,
              Type: v.type,
              Source: v.source,
              ReadOnly: v.readOnly ?? false,
              AccessMode: v.accessMode ?? "",
              AttachmentMode: v.attachmentMode ?? "",
              PerAlloc: v.perAlloc ?? false,
              MountOptions: null,
            },
          ]),
        )
      : null,
  }));
  const job: SimJob = {
    ID: spec.id,
    Name: spec.id,
    Namespace: namespace,
    Region: world.region,
    Type: spec.type ?? "service",
    Priority: 50,
    Datacenters: spec.datacenters,
    NodePool: spec.nodePool ?? "default",
    Meta: spec.meta ?? null,
    Status: "pending",
    StatusDescription: "",
    Stop: false,
    Periodic: null,
    ParameterizedJob: null,
    ParentID: "",
    TaskGroups: groups,
    Version: 0,
    SubmitTime: Date.now() * 1_000_000,
    CreateIndex: index,
    ModifyIndex: index,
    JobModifyIndex: index,
    sim: {
      queued: {},
      spec: 0,
      failEvery: spec.failEvery,
      usage: Object.fromEntries(spec.groups.flatMap((g) => (g.usage ? [[g.name, g.usage]] : []))),
    },
  };
  world.jobs.set(`${namespace}\u0000${spec.id}`, job);
  world.commit(["jobs", "job_summary"], [world.jobEvent(job, "JobRegistered")]);
  return job;
}
