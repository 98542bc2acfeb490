import type { AdapterModule } from "../module";
import { KubeAdapter } from "./kube-adapter";
import { KubeConnectionSchema, discoverKubeClusters, type KubeConnection } from "./kube-config";

export { KubeAdapter, type KubeTimings } from "./kube-adapter";
export { KubeConnectionSchema, type KubeConnection } from "./kube-config";

export const adapterModule: AdapterModule<KubeConnection> = {
  orchestrator: "kubernetes",
  connectionSchema: KubeConnectionSchema,
  create: (connection, context) => new KubeAdapter(connection, context),
  discover: (env, log) => discoverKubeClusters(env, log.child("kubernetes")),
};
