import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultTable, measureFault, settled, type FaultCase, type FaultMeasure } from "@/lib/testing/fault-harness";
import {
  FAULT_GOALS,
  RIG_ORCHESTRATORS,
  faultCase,
  faultNames,
  requestsWhileFailing,
  startFaultRig,
  type FaultRig,
  type RigOrchestrator,
} from "@/lib/testing/fault-rig";

/**
 * Every fault a simulator can inject, against the real adapter and owner:
 * the status and reason must come right, the cluster must come back by
 * itself once the fault clears, and a bystander cluster must not notice.
 */

let rig: FaultRig;
const measured: FaultMeasure[] = [];

beforeAll(async () => {
  rig = await startFaultRig();
}, 60_000);

afterAll(async () => {
  console.log(`\nFaults: detect and recover\n${faultTable(measured, FAULT_GOALS)}\n`);
  await rig?.close();
});

async function check(orchestrator: RigOrchestrator, fault: FaultCase) {
  const result = await measureFault(rig.target(orchestrator), rig.bystander, fault);
  measured.push(result);
  expect(result.detectMs, `${fault.name}: detect`).toBeLessThanOrEqual(FAULT_GOALS.detectMs);
  expect(result.recoverMs, `${fault.name}: recover`).toBeLessThanOrEqual(FAULT_GOALS.recoverMs);
  expect(result.bystanderOk, `${fault.name}: the bystander stayed ok`).toBe(true);
  // The bystander stays current: a change there shows as fast as its watch brings it.
  expect(result.bystanderChangeMs, `${fault.name}: the bystander's change`).toBeLessThan(FAULT_GOALS.bystanderChangeMs);
}

for (const orchestrator of RIG_ORCHESTRATORS)
  describe(`${orchestrator}: every fault detected, recovered from, and kept to its cluster`, () => {
    for (const name of faultNames(orchestrator)) it(name, () => check(orchestrator, faultCase(rig.controls[orchestrator], name)), 150_000);
  });

describe("kubernetes: credentials and watch history", () => {
  it("credentials revoked, then a kubeconfig with new ones", async () => {
    await check("kubernetes", {
      name: "credentials revoked",
      // Open watches outlive a revoked token on a real apiserver until they end; close them as its restart would.
      apply: () => {
        rig.kube.setTokens([{ token: "rotated", user: "admin" }]);
        rig.kube.closeWatches();
      },
      clear: () => rig.writeKubeconfig("rotated"),
      expect: { status: "unauthorized", reason: /Unauthorized/ },
    });
  }, 150_000);

  it("watch history compacted (410 Gone): a change made meanwhile arrives, the status never leaves ok", async () => {
    const owner = rig.owners.kubernetes;
    await settled(owner);
    const okSince = owner.info().statusSince;
    // Watches held back, a change made, history compacted past it: resuming is refused with 410 and a relist must bring it.
    rig.kube.pauseWatches();
    const shows = rig.target("kubernetes").change();
    rig.kube.compact();
    rig.kube.resumeWatches();
    const deadline = Date.now() + 10_000;
    while (!shows(owner.snapshot) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(shows(owner.snapshot)).toBe(true);
    // Any change of status or reason, however brief, would have moved statusSince.
    expect(owner.info()).toMatchObject({ status: "ok", statusSince: okSince });
  }, 30_000);
});

describe("Retry-After is honoured: a failing upstream asked to wait is not pressed harder", () => {
  for (const orchestrator of RIG_ORCHESTRATORS)
    it(
      orchestrator,
      async () => {
        const windowMs = 4_000;
        const owner = rig.owners[orchestrator];
        const control = rig.controls[orchestrator];
        const ownPace = await requestsWhileFailing(owner, control, undefined, windowMs);
        const asked = await requestsWhileFailing(owner, control, 4, windowMs);
        console.log(`${orchestrator}: ${ownPace} requests in ${windowMs / 1000} s at its own back-off, ${asked} when asked to wait 4 s`);
        // Each loop retries about four times in the window at its own pace, once (twice at a boundary) when asked to wait 4 s.
        expect(ownPace).toBeGreaterThan(0);
        expect(asked * 2).toBeLessThanOrEqual(ownPace);
      },
      60_000,
    );
});
