import { describe, expect, it } from "vitest";
import { containerUsage } from "./metrics";
import type { Pod } from "./types";

const pod = (name: string): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", uid: name, resourceVersion: "1", creationTimestamp: "2024-01-01T00:00:00Z" },
  spec: {
    containers: [{ name: "app", image: "x", resources: { requests: { cpu: "500m", memory: "1Gi" } } }],
    restartPolicy: "Always",
    schedulerName: "default-scheduler",
    serviceAccountName: "default",
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
  },
  status: { phase: "Running", conditions: [], qosClass: "Burstable" },
});

describe("simulated usage", () => {
  // Without the daily cycle and bursts (tested with the demo content in usage.int.test.ts).
  const profile = { cpu: 0.4, memory: 0.6, cpuSwing: 0.4, daily: 0, bursts: 0 };
  it("stays around the profile's share of the requests", () => {
    const samples = Array.from({ length: 200 }, (_, i) => containerUsage(pod("a"), profile, i * 15_000)[0]);
    const meanCpu = samples.reduce((n, s) => n + s.cpuMillis, 0) / samples.length;
    expect(meanCpu).toBeGreaterThan(150);
    expect(meanCpu).toBeLessThan(250);
    for (const s of samples) {
      expect(s.cpuMillis).toBeGreaterThan(0);
      expect(s.memoryBytes).toBeGreaterThan(0.5 * 0.6 * 1024 ** 3);
      expect(s.memoryBytes).toBeLessThan(1.5 * 0.6 * 1024 ** 3);
    }
  });

  it("moves smoothly over time and differs between replicas", () => {
    const at = (name: string, t: number) => containerUsage(pod(name), profile, t)[0].cpuMillis;
    expect(at("a", 0)).not.toBe(at("a", 60_000));
    expect(Math.abs(at("a", 15_000) - at("a", 0))).toBeLessThan(100);
    expect(at("a", 0)).not.toBe(at("b", 0));
  });
});
