import type { AdapterModule } from "@/lib/adapters/module";
import { MesosAdapter } from "./adapter";
import { MesosConnectionSchema, type MesosConnection } from "./connection";
import { endpointPassword } from "./http";

export { MesosAdapter } from "./adapter";
export { DeploymentConflictError } from "./abilities";
export { MesosConnectionSchema, type MesosConnection } from "./connection";

export const adapterModule: AdapterModule<MesosConnection> = {
  orchestrator: "mesos",
  connectionSchema: MesosConnectionSchema,
  create(connection, context) {
    // The master's credentials also go to every agent; Marathon has its own. Both go out as basic auth,
    // read here from the same environment the adapter reads them from.
    for (const endpoint of [connection.master, connection.marathon]) {
      context.secrets.addBasicAuth(endpoint?.username, endpointPassword(endpoint, process.env));
    }
    return new MesosAdapter(connection, context.log);
  },
};
