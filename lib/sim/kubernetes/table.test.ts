import { describe, expect, it } from "vitest";
import { humanDuration, toTable, wantsTable } from "./table";
import type { Pod } from "./types";

describe("server-side printing", () => {
  it("recognises kubectl's Table Accept header", () => {
    expect(
      wantsTable("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"),
    ).toBe(true);
    expect(wantsTable("application/json, */*")).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
  });

  it("formats ages like kubectl", () => {
    const s = 1000;
    expect(humanDuration(45 * s)).toBe("45s");
    expect(humanDuration(312 * s)).toBe("5m12s");
    expect(humanDuration(37 * 60 * s)).toBe("37m");
    expect(humanDuration((5 * 60 + 3) * 60 * s)).toBe("5h3m");
    expect(humanDuration(30 * 3600 * s)).toBe("30h");
    expect(humanDuration((3 * 24 + 4) * 3600 * s)).toBe("3d4h");
    expect(humanDuration(12 * 24 * 3600 * s)).toBe("12d");
  });

  it("prints a creating pod with READY, STATUS and RESTARTS", () => {
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "mysql-3",
        namespace: "default",
        uid: "u",
        resourceVersion: "9",
        creationTimestamp: new Date(Date.now() - 5000).toISOString(),
      },
      spec: {
        containers: [{ name: "mysql", image: "mysql:5.7", resources: {} }],
        restartPolicy: "Always",
        schedulerName: "default-scheduler",
        serviceAccountName: "default",
        terminationGracePeriodSeconds: 30,
        dnsPolicy: "ClusterFirst",
        nodeName: "east-worker-a",
      },
      status: {
        phase: "Pending",
        conditions: [],
        qosClass: "Burstable",
        containerStatuses: [
          {
            name: "mysql",
            image: "mysql:5.7",
            imageID: "",
            ready: false,
            started: false,
            restartCount: 1,
            state: { waiting: { reason: "ContainerCreating" } },
            lastState: {},
          },
        ],
      },
    };
    const table = toTable("Pod", [pod], { includeObject: null, withColumns: true });
    expect(table.columnDefinitions.slice(0, 5).map((c) => c.name)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(table.rows[0].cells.slice(0, 5)).toEqual(["mysql-3", "0/1", "ContainerCreating", 1, "5s"]);
    expect(table.rows[0].object).toMatchObject({ kind: "PartialObjectMetadata", metadata: { name: "mysql-3" } });
  });
});
