import type { AdapterModule } from "@/lib/adapters/module";
import { MesosAdapter } from "./adapter";
import { MesosConnectionSchema, type MesosConnection } from "./connection";

export { MesosAdapter, type MesosTimings } from "./adapter";
export { DeploymentConflictError } from "./abilities";
export { MesosConnectionSchema, type MesosConnection } from "./connection";

export const adapterModule: AdapterModule<MesosConnection> = {
  orchestrator: "mesos",
  connectionSchema: MesosConnectionSchema,
  create: (connection, context) => new MesosAdapter(connection, context),
};
