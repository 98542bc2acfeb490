export { startEcsSim, SimFaults, type EcsSim, type EcsSimOptions, type SimRequest } from "./server";
export { SimAwsError } from "./errors";
export {
  startEcsDemo,
  seedDemoWorld,
  DEMO_CREDENTIALS,
  DEMO_REGION,
  DEMO_EC2_CLUSTER,
  DEMO_FARGATE_CLUSTER,
  DEMO_FAILING_SERVICE,
} from "./demo";
export { EcsWorld, DEFAULT_TIMINGS, type SimTimings } from "./state";
