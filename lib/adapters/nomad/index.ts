import type { AdapterModule } from "@/lib/adapters/module";
import { NomadAdapter } from "./adapter";
import { discoverFromEnv, NomadConnectionSchema, resolveConnection, type NomadConnection } from "./connection";

export { NomadAdapter } from "./adapter";
export { NomadConnectionSchema, resolveConnection, type NomadConnection } from "./connection";

/** HashiCorp Nomad through its HTTP API (clients, jobs and task groups, allocations, services). */
export const adapterModule: AdapterModule<NomadConnection> = {
  orchestrator: "nomad",
  connectionSchema: NomadConnectionSchema,
  create(connection, context) {
    const resolved = resolveConnection(connection, process.env);
    // The ACL token (from the entry, its tokenEnv or NOMAD_TOKEN) goes out as X-Nomad-Token on every request.
    context.secrets.add(resolved.token);
    return new NomadAdapter(resolved, context.log.child("nomad"));
  },
  async discover(env, log) {
    const found = discoverFromEnv(env);
    for (const c of found) log.info("found a Nomad cluster in the environment", { id: c.id, address: c.connection.address });
    return found;
  },
};
