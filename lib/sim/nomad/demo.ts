import type { StartSimulator } from "@/lib/sim/types";
import { addClient, addJob } from "./content";
import { startNomadSim } from "./server";
import type { NomadWorld } from "./state";
import { usageAtFor } from "./usage";

/**
 * The demo fleet's Nomad cluster: clients of different sizes in two
 * datacenters, a service job with two groups (one with scaling bounds and a
 * Consul service), a system job on every client, a batch job that runs to
 * completion, a group that asks for more memory than any client has, so
 * one allocation stays queued with its reason, and one whose image names a
 * registry that does not resolve, so its allocations fail, restart and are
 * rescheduled, again and again. storefront.web serves a host volume
 * read-only; each ledger.worker has a CSI volume of its own. Jobs name their team in meta
 * (node-exporter names none). The consumption stories: storefront.api leaks
 * memory to its limit and is OOM-killed about every 40 minutes, ledger.worker
 * idles at about 5% of what it reserves, and edge-proxy fills fra1-edge-1
 * past 90% of its CPU and memory.
 */

export const NOMAD_DEMO_CLUSTER_ID = "demo-nomad";

export function seedNomadDemo(world: NomadWorld): void {
  addClient(world, {
    name: "ams1-client-1",
    datacenter: "ams1",
    cores: 8,
    mhzPerCore: 2900,
    memoryGiB: 32,
    nodeClass: "general",
    meta: { rack: "r1" },
  });
  addClient(world, {
    name: "ams1-client-2",
    datacenter: "ams1",
    cores: 4,
    mhzPerCore: 2900,
    memoryGiB: 16,
    nodeClass: "general",
    meta: { rack: "r2" },
  });
  addClient(world, {
    name: "fra1-compute-1",
    datacenter: "fra1",
    cores: 16,
    mhzPerCore: 2450,
    memoryGiB: 64,
    nodeClass: "compute",
    meta: { rack: "f4" },
    cpuModel: "AMD EPYC 7R13 Processor",
  });
  addClient(world, {
    name: "fra1-edge-1",
    datacenter: "fra1",
    cores: 2,
    mhzPerCore: 2200,
    memoryGiB: 4,
    nodeClass: "edge",
    nodePool: "edge",
    reservedMhz: 200,
    reservedMemoryMB: 256,
    meta: { rack: "f1" },
  });

  addJob(world, {
    id: "storefront",
    datacenters: ["ams1", "fra1"],
    meta: { team: "search", tier: "frontend" },
    groups: [
      {
        name: "web",
        count: 3,
        tasks: [{ name: "nginx", image: "nginx:1.27-alpine", cpu: 500, memoryMB: 256 }],
        // The clients' host volume of built assets, served read-only.
        volumes: [{ name: "assets", type: "host", source: "storefront-assets", destination: "/usr/share/nginx/html", readOnly: true }],
        ports: [{ label: "http", to: 80 }],
        services: [{ name: "storefront-web", port: "http", tags: ["urlprefix-/"] }],
        scaling: { min: 1, max: 12 },
      },
      {
        name: "api",
        count: 2,
        tasks: [{ name: "api", image: "ghcr.io/acme/storefront-api:2.4.1", cpu: 1000, memoryMB: 768 }],
        ports: [
          { label: "http", to: 8080 },
          { label: "grpc", static: 9090 },
        ],
        services: [
          { name: "storefront-api", port: "http", tags: ["v2"] },
          { name: "storefront-api-grpc", port: "grpc", provider: "consul", tags: ["grpc"] },
        ],
        // Starved: a leak takes it to its memory limit, and the OOM killer restarts it.
        usage: { leakEveryMs: 40 * 60_000 },
      },
    ],
  });
  addJob(world, {
    id: "ledger",
    namespace: "payments",
    datacenters: ["fra1"],
    meta: { team: "payments" },
    groups: [
      {
        name: "worker",
        count: 2,
        tasks: [{ name: "worker", image: "ghcr.io/acme/ledger-worker:5.0.3", cpu: 2000, memoryMB: 4096 }],
        // Each worker writes its own journal: one CSI volume per allocation (ledger-journal[0], [1], ...).
        volumes: [
          {
            name: "journal",
            type: "csi",
            source: "ledger-journal",
            destination: "/var/lib/ledger",
            accessMode: "single-node-writer",
            attachmentMode: "file-system",
            perAlloc: true,
          },
        ],
        scaling: { min: 1, max: 6 },
        // Idle: sized for a peak that never came.
        usage: { cpu: 0.05, memory: 0.05 },
      },
      {
        // Asks for more memory than any fra1 client has free: one stays queued.
        name: "reconciler",
        count: 1,
        tasks: [{ name: "reconciler", image: "ghcr.io/acme/ledger-reconciler:5.0.3", cpu: 4000, memoryMB: 72 * 1024 }],
      },
    ],
  });
  addJob(world, {
    id: "node-exporter",
    namespace: "platform",
    type: "system",
    datacenters: ["*"],
    nodePool: "all",
    groups: [
      {
        name: "exporter",
        count: 1,
        tasks: [{ name: "node-exporter", image: "prom/node-exporter:v1.8.2", cpu: 100, memoryMB: 64 }],
        ports: [{ label: "metrics", static: 9100 }],
        services: [{ name: "node-exporter", port: "metrics", tags: ["prometheus"] }],
      },
    ],
  });
  addJob(world, {
    // Sized to fill the small edge client: above 90% of its CPU and memory is reserved.
    id: "edge-proxy",
    namespace: "platform",
    datacenters: ["fra1"],
    nodePool: "edge",
    meta: { team: "platform" },
    groups: [
      {
        name: "proxy",
        count: 1,
        tasks: [{ name: "envoy", image: "envoyproxy/envoy:v1.31.2", cpu: 3800, memoryMB: 3500 }],
        ports: [{ label: "https", static: 8443 }],
        services: [{ name: "edge-proxy", port: "https", tags: ["edge"] }],
        usage: { cpu: 0.6, memory: 0.7 },
      },
    ],
  });
  addJob(world, {
    id: "nightly-report",
    type: "batch",
    datacenters: ["ams1", "fra1"],
    meta: { team: "data" },
    failEvery: 3,
    groups: [
      { name: "build", count: 3, tasks: [{ name: "report", image: "ghcr.io/acme/report-builder:1.3.0", cpu: 1500, memoryMB: 1024 }] },
    ],
  });
  addJob(world, {
    // A typo in the registry's domain: no client can pull the image.
    id: "catalog-sync",
    datacenters: ["ams1"],
    meta: { team: "data" },
    groups: [
      {
        name: "sync",
        count: 1,
        tasks: [{ name: "sync", image: "registry.acme.invalid/data/catalog-sync:0.9.2", cpu: 250, memoryMB: 256 }],
      },
    ],
  });
}

export const startNomadDemo: StartSimulator = async (options) => {
  const sim = await startNomadSim({
    host: options.host,
    // The fleet hands each simulator its own block of ports; Nomad's is the first of it.
    port: options.basePort ?? 0,
    timings: { startMs: 4000, startJitterMs: 2000, stopMs: 2000, batchRunMs: 90_000, gcMs: 300_000, restartsPerMinute: 0.02 },
    tickMs: 500,
    seed: (world) => seedNomadDemo(world),
  });
  return {
    label: "nomad (cluster demo-nomad)",
    urls: [sim.url],
    clusters: [
      {
        id: NOMAD_DEMO_CLUSTER_ID,
        name: "Nomad (demo)",
        orchestrator: "nomad",
        connection: { address: sim.url },
        usageAt: usageAtFor(sim.world),
      },
    ],
    controls: { [NOMAD_DEMO_CLUSTER_ID]: sim },
    close: () => sim.close(),
  };
};
