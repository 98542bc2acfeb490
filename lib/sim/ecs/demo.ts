import type { StartSimulator } from "@/lib/sim/types";
import { usageAtFor } from "./metrics";
import { startEcsSim } from "./server";
import type { EcsWorld } from "./state";

/**
 * Demo content: an EC2-backed cluster with container instances of different
 * sizes (one draining) and Container Insights, and a Fargate-only cluster
 * (no container instances) that reports through plain `AWS/ECS` metrics.
 * Services carry a `team` tag (propagated to their tasks), except
 * notifications and reports. The consumption stories: worker leaks memory to
 * its limit and is OOM-killed every 20 minutes, payments idles at about 5% of
 * what it reserves, and the small t3.small instance is over-committed
 * (memory reserved above 90%). One service is broken: recommendations still
 * pulls from a registry mirror that was switched off, so none of its tasks
 * starts and ECS keeps retrying, ever more slowly.
 */

export const DEMO_REGION = "eu-west-1";
export const DEMO_EC2_CLUSTER = "shop-ec2";
export const DEMO_FARGATE_CLUSTER = "shop-fargate";
/** The demo's broken service (on the Fargate cluster): its image cannot be pulled, so it never runs a task. */
export const DEMO_FAILING_SERVICE = "recommendations";
/** Static keys for the simulator only: it accepts any well-formed signature. */
export const DEMO_CREDENTIALS = { accessKeyId: "AKIAFLEETDECKDEMO000", secretAccessKey: "fleetdeck-demo-not-a-secret" };

export function seedDemoWorld(world: EcsWorld): void {
  const ec2 = world.addCluster(DEMO_EC2_CLUSTER, { containerInsights: true, capacityProviders: ["shop-asg"], tags: { team: "platform" } });
  const az = (z: string) => `${world.region}${z}`;
  world.addContainerInstance(ec2, {
    instanceType: "m6i.2xlarge",
    cpu: 8192,
    memory: 31_600,
    availabilityZone: az("a"),
    capacityProviderName: "shop-asg",
  });
  world.addContainerInstance(ec2, {
    instanceType: "m6i.xlarge",
    cpu: 4096,
    memory: 15_482,
    availabilityZone: az("b"),
    capacityProviderName: "shop-asg",
  });
  world.addContainerInstance(ec2, {
    instanceType: "c6g.xlarge",
    cpu: 4096,
    memory: 7_680,
    availabilityZone: az("c"),
    capacityProviderName: "shop-asg",
  });
  // Registers little memory (a large ECS_RESERVED_MEMORY): a web and a log-router task fill it past 90%.
  world.addContainerInstance(ec2, {
    instanceType: "t3.small",
    cpu: 2048,
    memory: 1_350,
    availabilityZone: az("a"),
    capacityProviderName: "shop-asg",
  });
  const draining = world.addContainerInstance(ec2, {
    instanceType: "m5.large",
    cpu: 2048,
    memory: 7_680,
    availabilityZone: az("b"),
    capacityProviderName: "shop-asg",
  });
  draining.status = "DRAINING";

  // The instances' shared uploads volume and a scratch bind mount for nginx's cache.
  const web = world.taskDefinition("shop-web", 14, {
    cpu: 512,
    memory: 1024,
    containers: [
      {
        name: "nginx",
        image: "public.ecr.aws/nginx/nginx:1.27",
        port: 80,
        mountPoints: [
          { sourceVolume: "uploads", containerPath: "/usr/share/nginx/html/uploads", readOnly: true },
          { sourceVolume: "cache", containerPath: "/var/cache/nginx", readOnly: false },
        ],
      },
    ],
    volumes: [
      { name: "uploads", dockerVolumeConfiguration: { scope: "shared", autoprovision: true, driver: "local" } },
      { name: "cache", host: {} },
    ],
  });
  const api = world.taskDefinition("shop-api", 31, {
    cpu: 1024,
    memory: 2048,
    containers: [
      { name: "api", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:2.8.1", port: 8080 },
      { name: "envoy", image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod", port: null },
    ],
  });
  const worker = world.taskDefinition("shop-worker", 9, {
    cpu: 256,
    memory: 512,
    containers: [{ name: "worker", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-worker:2.8.1", port: null }],
  });
  const logs = world.taskDefinition("log-router", 3, {
    cpu: 128,
    memory: 256,
    containers: [{ name: "fluent-bit", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4", port: null }],
  });
  const tg = (name: string) => `arn:aws:elasticloadbalancing:${world.region}:${world.accountId}:targetgroup/${name}/6d0ecf831eec9f09`;

  world.addService(ec2, {
    name: "web",
    desiredCount: 4,
    taskDefinition: web,
    capacityProvider: "shop-asg",
    loadBalancers: [{ targetGroupArn: tg("shop-web"), containerName: "nginx", containerPort: 80 }],
    tags: { app: "web", tier: "frontend", team: "search" },
    load: { mean: 0.3, swing: 0.2, periodSeconds: 1800 },
  });
  world.addService(ec2, {
    name: "api",
    desiredCount: 3,
    taskDefinition: api,
    capacityProvider: "shop-asg",
    loadBalancers: [{ targetGroupArn: tg("shop-api"), containerName: "api", containerPort: 8080 }],
    serviceConnect: {
      namespace: "shop.local",
      services: [{ portName: "http", discoveryName: "api", port: 8080, dnsName: "api.shop.local" }],
    },
    tags: { app: "api", tier: "backend", team: "search" },
    load: { mean: 0.45, swing: 0.25, periodSeconds: 1500 },
  });
  world.addService(ec2, {
    name: "worker",
    desiredCount: 2,
    taskDefinition: worker,
    launchType: "EC2",
    tags: { app: "worker", tier: "backend", team: "data" },
    load: { mean: 0.6, swing: 0.3, periodSeconds: 3600 },
    // Starved: memory climbs to the limit and one task is OOM-killed and replaced every 20 minutes.
    crashEveryMs: 20 * 60_000,
  });
  world.addService(ec2, {
    name: "log-router",
    desiredCount: 0,
    taskDefinition: logs,
    launchType: "EC2",
    schedulingStrategy: "DAEMON",
    tags: { app: "log-router", team: "platform" },
    load: { mean: 0.1, swing: 0.05, periodSeconds: 1200 },
  });

  const fargate = world.addCluster(DEMO_FARGATE_CLUSTER, { capacityProviders: ["FARGATE", "FARGATE_SPOT"], tags: { team: "payments" } });
  const checkout = world.taskDefinition("checkout", 7, {
    cpu: 512,
    memory: 1024,
    containers: [{ name: "checkout", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:5.2.0", port: 3000 }],
  });
  const payments = world.taskDefinition("payments", 22, {
    cpu: 1024,
    memory: 3072,
    containers: [{ name: "payments", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments:1.19.4", port: 8443 }],
  });
  const notify = world.taskDefinition("notifications", 4, {
    cpu: 256,
    memory: 512,
    containers: [{ name: "notifications", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/notifications:0.9.3", port: null }],
  });
  // Monthly reports land on an EFS file system the finance team reads.
  const reports = world.taskDefinition("reports", 2, {
    cpu: 2048,
    memory: 4096,
    containers: [
      {
        name: "reports",
        image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/reports:3.0.0",
        port: null,
        mountPoints: [{ sourceVolume: "archive", containerPath: "/srv/reports", readOnly: false }],
      },
    ],
    volumes: [
      {
        name: "archive",
        efsVolumeConfiguration: { fileSystemId: "fs-0c2d9e4f81a7b3e56", rootDirectory: "/reports", transitEncryption: "ENABLED" },
      },
    ],
  });
  world.addService(fargate, {
    name: "checkout",
    desiredCount: 3,
    taskDefinition: checkout,
    launchType: "FARGATE",
    loadBalancers: [{ targetGroupArn: tg("checkout"), containerName: "checkout", containerPort: 3000 }],
    serviceRegistries: [
      {
        registryArn: `arn:aws:servicediscovery:${world.region}:${world.accountId}:service/srv-checkout4hx2kq3a`,
        containerName: "checkout",
        containerPort: 3000,
      },
    ],
    tags: { app: "checkout", team: "payments" },
    load: { mean: 0.4, swing: 0.2, periodSeconds: 2400 },
  });
  world.addService(fargate, {
    name: "payments",
    desiredCount: 2,
    taskDefinition: payments,
    capacityProvider: "FARGATE_SPOT",
    serviceConnect: {
      namespace: "payments.local",
      services: [{ portName: "https", discoveryName: "payments", port: 8443, dnsName: "payments.payments.local" }],
    },
    tags: { app: "payments", team: "payments" },
    // Idle: reserves a vCPU and 3 GiB a task and uses about 5% of it.
    load: { mean: 0.04, swing: 0.01, periodSeconds: 2000, memory: 0.06 },
  });
  world.addService(fargate, {
    name: "notifications",
    desiredCount: 1,
    taskDefinition: notify,
    launchType: "FARGATE",
    tags: { app: "notifications" },
  });
  world.addService(fargate, { name: "reports", desiredCount: 0, taskDefinition: reports, launchType: "FARGATE", tags: { app: "reports" } });
  const recommendations = world.taskDefinition("recommendations", 5, {
    cpu: 512,
    memory: 1024,
    containers: [{ name: "recommendations", image: "mirror.shop-legacy.invalid/shop/recommendations:1.4.0", port: 8080 }],
  });
  world.addService(fargate, {
    name: DEMO_FAILING_SERVICE,
    desiredCount: 1,
    taskDefinition: recommendations,
    launchType: "FARGATE",
    tags: { app: "recommendations", team: "search" },
  });
}

export const startEcsDemo: StartSimulator = async (options) => {
  const sim = await startEcsSim({
    host: options.host,
    // The fleet hands each simulator its own block of fixed ports; ECS needs one.
    port: options.basePort ?? 0,
    region: DEMO_REGION,
    seed: seedDemoWorld,
  });
  const connection = (cluster: string) => ({ region: DEMO_REGION, cluster, endpoint: sim.endpoint, credentials: DEMO_CREDENTIALS });
  const demoCluster = (cluster: string) => ({
    id: `ecs-${cluster}`,
    name: `ECS ${cluster}`,
    orchestrator: "ecs" as const,
    connection: connection(cluster),
    usageAt: usageAtFor(sim.world, cluster),
  });
  return {
    label: `ecs + cloudwatch (clusters ${DEMO_EC2_CLUSTER}, ${DEMO_FARGATE_CLUSTER}; any AWS keys are accepted)`,
    urls: [sim.endpoint],
    clusters: [demoCluster(DEMO_EC2_CLUSTER), demoCluster(DEMO_FARGATE_CLUSTER)],
    // One endpoint serves both clusters: a fault on either is a fault on the account's region.
    controls: Object.fromEntries(
      [DEMO_EC2_CLUSTER, DEMO_FARGATE_CLUSTER].map((c) => [`ecs-${c}`, { faults: sim.network, stop: sim.stop, start: sim.start }]),
    ),
    close: () => sim.close(),
  };
};
