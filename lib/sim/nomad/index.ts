export { startNomadSim, type NomadSim, type NomadSimOptions } from "./server";
export { startNomadDemo, seedNomadDemo, NOMAD_DEMO_CLUSTER_ID } from "./demo";
export { addClient, addJob, type ClientSpec, type JobSpec } from "./content";
export type { TokenPolicy } from "./http";
