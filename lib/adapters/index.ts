import type { Orchestrator } from "@/lib/model/types";
import type { AdapterModule } from "./module";
import { adapterModule as kubernetes } from "./kubernetes";
import { swarmAdapterModule as swarm, dockerAdapterModule as docker } from "./docker";
import { adapterModule as ecs } from "./ecs";
import { adapterModule as nomad } from "./nomad";
import { adapterModule as mesos } from "./mesos";

/** Every orchestrator Fleetdeck speaks, by its model name. */
export const ADAPTER_MODULES: Record<Orchestrator, AdapterModule<unknown>> = {
  kubernetes: kubernetes as AdapterModule<unknown>,
  swarm: swarm as AdapterModule<unknown>,
  docker: docker as AdapterModule<unknown>,
  ecs: ecs as AdapterModule<unknown>,
  nomad: nomad as AdapterModule<unknown>,
  mesos: mesos as AdapterModule<unknown>,
};
