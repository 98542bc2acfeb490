import type { SimController } from "./controller";
import type { SimApp, SimTask, SimWorld } from "./world";

/**
 * What a simulated cluster holds at start: agents, non-Marathon frameworks
 * with their tasks, and Marathon apps. Apps get their instances placed and
 * already running at start, as on a cluster that has been up for a while.
 */

export interface AgentSpec {
  hostname: string;
  ip: string;
  cpus: number;
  memMb: number;
  diskMb: number;
  attributes: Record<string, string | number>;
  reserved?: Record<string, { cpus: number; memMb: number }>;
  portRanges?: [number, number][];
}

export interface FrameworkTaskSpec {
  name: string;
  agent: string;
  cpus: number;
  memMb: number;
  image?: string;
  /** A custom executor's id; omitted for the command executor. */
  executorId?: string;
  load?: number;
}

export interface FrameworkSpec {
  name: string;
  role: string;
  webuiUrl?: string;
  tasks: FrameworkTaskSpec[];
}

export type AppSpec = Pick<SimApp, "id" | "instances" | "cpus" | "mem"> &
  Partial<Omit<SimApp, "version" | "lastConfigChangeAt" | "lastScalingAt">>;

export interface SimContent {
  cluster: string;
  agents: AgentSpec[];
  frameworks: FrameworkSpec[];
  apps: AppSpec[];
}

export function populate(world: SimWorld, controller: SimController, content: SimContent, now = Date.now()): void {
  const since = now - 6 * 3600_000;
  content.agents.forEach((spec, i) => {
    const id = `${world.masterId}-S${i}`;
    world.agents.set(id, {
      id,
      hostname: spec.hostname,
      ip: spec.ip,
      listenHost: "127.0.0.1",
      port: 0,
      attributes: spec.attributes,
      cpus: spec.cpus,
      memMb: spec.memMb,
      diskMb: spec.diskMb,
      portRanges: spec.portRanges ?? DEFAULT_PORTS,
      reserved: spec.reserved ?? {},
      active: true,
      deactivated: false,
      drain: null,
      registeredAt: since + i * 1_000,
    });
  });
  world.frameworks.set(world.marathonFrameworkId, {
    id: world.marathonFrameworkId,
    name: "marathon",
    role: "*",
    registeredAt: since + 60_000,
    webuiUrl: null,
  });
  content.frameworks.forEach((spec, i) => {
    const id = `${world.masterId}-${String(i + 1).padStart(4, "0")}`;
    world.frameworks.set(id, {
      id,
      name: spec.name,
      role: spec.role,
      registeredAt: since + 120_000 + i * 1_000,
      webuiUrl: spec.webuiUrl ?? null,
    });
    spec.tasks.forEach((taskSpec, j) => {
      const agent = [...world.agents.values()].find((a) => a.hostname === taskSpec.agent);
      if (!agent) throw new Error(`content: no agent ${taskSpec.agent} for task ${taskSpec.name}`);
      const taskId = `${spec.name}-${taskSpec.name}-${world.hex(8)}`;
      const task: SimTask = {
        id: taskId,
        name: taskSpec.name,
        frameworkId: id,
        agentId: agent.id,
        executorId: taskSpec.executorId ?? "",
        state: "TASK_STAGING",
        stateSince: now,
        statuses: [],
        cpus: taskSpec.cpus,
        memMb: taskSpec.memMb,
        diskMb: 0,
        role: spec.role in agent.reserved ? spec.role : "*",
        hostPorts: [],
        image: taskSpec.image ?? null,
        appId: null,
        appVersion: null,
        stagedAt: now,
        startedAt: null,
        failsHealth: false,
        health: null,
        usage: {
          cpuShare: (taskSpec.load ?? 0.5) * (0.8 + 0.4 * world.random()),
          memShare: 0.4 + 0.4 * world.random(),
          periodS: 90 + 90 * world.random(),
          phase: world.random() * 2 * Math.PI,
          cpuSeconds: 0,
          measuredAt: now,
        },
      };
      world.tasks.set(task.id, task);
      backdate(task, since + 300_000 + j * 5_000);
    });
  });
  for (const spec of content.apps) {
    const version = new Date(since + 600_000).toISOString();
    world.apps.set(spec.id, {
      cmd: null,
      image: null,
      disk: 0,
      portMappings: [],
      portDefinitions: [],
      requirePorts: false,
      labels: {},
      healthCheck: null,
      unhealthyInstances: 0,
      constraints: [],
      role: "*",
      load: 0.4,
      ...spec,
      version,
      lastConfigChangeAt: version,
      lastScalingAt: version,
    });
  }
  // Place every app's instances now, then make them look long started.
  controller.tick(now);
  for (const task of world.tasks.values()) {
    if (task.appId && task.state === "TASK_STAGING") backdate(task, since + 900_000 + world.random() * 3_600_000);
  }
  // A second round runs the health checks of the now long-running tasks.
  controller.tick(now);
}

function backdate(task: SimTask, stagedAt: number): void {
  task.stagedAt = stagedAt;
  task.statuses = [
    { state: "TASK_STAGING", timestamp: stagedAt / 1000 },
    { state: "TASK_STARTING", timestamp: (stagedAt + 2_000) / 1000 },
    { state: "TASK_RUNNING", timestamp: (stagedAt + 4_000) / 1000 },
  ];
  task.state = "TASK_RUNNING";
  task.startedAt = stagedAt + 4_000;
  task.stateSince = task.startedAt;
  // Counters that look like hours of work, so the first deltas are ordinary.
  task.usage.cpuSeconds = ((Date.now() - task.startedAt) / 1000) * task.cpus * task.usage.cpuShare;
}

// Operators add the fixed ports of host-networked services (redis, node_exporter) to the agents' offered ranges.
const DEFAULT_PORTS: [number, number][] = [
  [6379, 6379],
  [9100, 9100],
  [31000, 32000],
];

const health = (path: string) => ({
  protocol: "MESOS_HTTP" as const,
  path,
  portIndex: 0,
  gracePeriodSeconds: 300,
  intervalSeconds: 60,
  timeoutSeconds: 20,
  maxConsecutiveFailures: 0,
});

/**
 * The demo: five agents of different sizes over three racks and zones, Spark
 * and Jenkins beside Marathon. Apps name their team in a `team` label
 * (node-exporter and the Spark and Jenkins tasks name none). The consumption
 * stories: grafana idles at about 5% of what it reserves, and search's
 * indexer is pinned to the small agent c1, reserving above 90% of it.
 */
export const DEMO_CONTENT: SimContent = {
  cluster: "demo-mesos",
  agents: [
    {
      hostname: "mesos-agent-a1.dc1.example.net",
      ip: "10.20.1.11",
      cpus: 8,
      memMb: 30720,
      diskMb: 204800,
      attributes: { rack: "r1", zone: "eu-west-1a", instance_type: "m5.2xlarge" },
    },
    {
      hostname: "mesos-agent-a2.dc1.example.net",
      ip: "10.20.1.12",
      cpus: 8,
      memMb: 30720,
      diskMb: 204800,
      attributes: { rack: "r1", zone: "eu-west-1a", instance_type: "m5.2xlarge" },
    },
    {
      hostname: "mesos-agent-b1.dc1.example.net",
      ip: "10.20.2.11",
      cpus: 16,
      memMb: 63488,
      diskMb: 409600,
      attributes: { rack: "r2", zone: "eu-west-1b", instance_type: "m5.4xlarge" },
      reserved: { spark: { cpus: 6, memMb: 24576 } },
    },
    {
      hostname: "mesos-agent-b2.dc1.example.net",
      ip: "10.20.2.12",
      cpus: 4,
      memMb: 15360,
      diskMb: 102400,
      attributes: { rack: "r2", zone: "eu-west-1b", instance_type: "m5.xlarge" },
    },
    {
      hostname: "mesos-agent-c1.dc1.example.net",
      ip: "10.20.3.11",
      cpus: 2,
      memMb: 7680,
      diskMb: 51200,
      attributes: { rack: "r3", zone: "eu-west-1c", instance_type: "t3.large" },
    },
  ],
  frameworks: [
    {
      name: "spark",
      role: "spark",
      webuiUrl: "http://spark-history.dc1.example.net:18080",
      tasks: [
        {
          name: "driver-nightly-etl",
          agent: "mesos-agent-b1.dc1.example.net",
          cpus: 1,
          memMb: 2048,
          image: "apache/spark:3.5.1",
          executorId: "driver-nightly-etl",
          load: 0.3,
        },
        ...[1, 2, 3].map((n) => ({
          name: `executor-${n}`,
          agent: "mesos-agent-b1.dc1.example.net",
          cpus: 1.5,
          memMb: 6144,
          image: "apache/spark:3.5.1",
          executorId: `spark-executor-${n}`,
          load: 0.8,
        })),
      ],
    },
    {
      name: "jenkins",
      role: "*",
      tasks: [
        {
          name: "jenkins-agent-linux-1",
          agent: "mesos-agent-b2.dc1.example.net",
          cpus: 0.5,
          memMb: 1024,
          image: "jenkins/inbound-agent:3206.vb_15dcf73f6a_9-1",
          load: 0.2,
        },
      ],
    },
  ],
  apps: [
    {
      id: "/shop/web",
      instances: 4,
      cpus: 0.5,
      mem: 512,
      image: "nginx:1.25-alpine",
      portMappings: [{ containerPort: 80, hostPort: 0, servicePort: 10000, protocol: "tcp", name: "http" }],
      healthCheck: health("/healthz"),
      unhealthyInstances: 1,
      labels: { team: "payments", tier: "frontend", HAPROXY_GROUP: "external" },
      load: 0.3,
    },
    {
      id: "/shop/api",
      instances: 3,
      cpus: 1,
      mem: 1024,
      image: "registry.example.net/shop/api:2.14.0",
      portMappings: [{ containerPort: 8080, hostPort: 0, servicePort: 10001, protocol: "tcp", name: "http" }],
      healthCheck: health("/health"),
      labels: { team: "payments", tier: "backend" },
      load: 0.45,
    },
    {
      id: "/shop/worker",
      instances: 2,
      cpus: 0.5,
      mem: 768,
      image: "registry.example.net/shop/worker:2.14.0",
      labels: { team: "payments", tier: "worker" },
      load: 0.6,
    },
    {
      id: "/monitoring/grafana",
      instances: 1,
      cpus: 0.5,
      mem: 512,
      image: "grafana/grafana:10.4.2",
      portMappings: [{ containerPort: 3000, hostPort: 0, servicePort: 10003, protocol: "tcp", name: "ui" }],
      constraints: [["zone", "LIKE", "eu-west-1a"]],
      labels: { team: "platform" },
      // Idle: dashboards nobody opens.
      load: 0.05,
      memLoad: 0.05,
    },
    {
      id: "/monitoring/node-exporter",
      instances: 5,
      cpus: 0.1,
      mem: 64,
      cmd: "./node_exporter --web.listen-address=:9100",
      portDefinitions: [{ port: 9100, protocol: "tcp", name: "metrics" }],
      requirePorts: true,
      constraints: [["hostname", "UNIQUE"]],
      load: 0.2,
    },
    {
      id: "/redis",
      instances: 1,
      cpus: 1,
      mem: 2048,
      image: "redis:7.2-alpine",
      portMappings: [{ containerPort: 6379, hostPort: 6379, servicePort: 10004, protocol: "tcp", name: "redis" }],
      labels: { team: "platform" },
      load: 0.25,
    },
    {
      // Pinned to the small agent, which it fills past 90% of its CPU and memory beside node-exporter.
      id: "/search/indexer",
      instances: 1,
      cpus: 1.8,
      mem: 7040,
      image: "registry.example.net/search/indexer:4.2.0",
      constraints: [["hostname", "LIKE", "mesos-agent-c1.dc1.example.net"]],
      labels: { team: "search" },
      load: 0.7,
      memLoad: 0.8,
    },
    {
      // Bigger than any agent's unreserved resources: stays in Marathon's launch queue, declined offers and all.
      id: "/analytics/warehouse-loader",
      instances: 2,
      cpus: 12,
      mem: 49152,
      image: "registry.example.net/data/warehouse-loader:0.9.3",
      labels: { team: "data" },
      load: 0.7,
    },
  ],
};
