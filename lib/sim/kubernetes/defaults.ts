/**
 * What the apiserver does to an object on create: validation of the basics,
 * server-set metadata, and the defaults of the fields the simulator's
 * controllers rely on (as `kubectl create deployment` sends only a sketch).
 */

import type { Container, KubeObject, PodSpec, ServiceObject } from "./types";
import type { ResourceType } from "./resources";
import { qualifiedName, RBAC_GROUP } from "./resources";
import { badRequest, fail, invalid } from "./status";
import { matchesRequirements, requirementsOf } from "./selectors";
import { kubeTime, type SeededRandom } from "./random";
import { cpuMillis, memoryBytes } from "./quantity";
import { prepareRbac } from "./rbac";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface CreateContext {
  random: SeededRandom;
  now: number;
  services: ServiceObject[];
  /** The default StorageClass, given to claims that name none (the DefaultStorageClass admission plugin). */
  defaultStorageClass?: string;
}

function defaultContainer(c: unknown, i: number): Container {
  if (!isObj(c) || typeof c.image !== "string" || typeof c.name !== "string") {
    throw invalid("Pod", "", "", `spec.containers[${i}].image`, isObj(c) ? (c.image ?? "") : "", "Required value");
  }
  const image = c.image;
  const tagged = /:[^/]+$/.test(image) && !image.endsWith(":latest");
  return {
    ...(c as unknown as Container),
    resources: isObj(c.resources) ? (c.resources as Container["resources"]) : {},
    imagePullPolicy: typeof c.imagePullPolicy === "string" ? c.imagePullPolicy : tagged ? "IfNotPresent" : "Always",
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    ...(Array.isArray(c.ports) ? { ports: c.ports.map((p: Obj) => ({ protocol: "TCP", ...p })) as Container["ports"] } : {}),
  };
}

function defaultPodSpec(spec: unknown, kind: string, name: string): PodSpec {
  if (!isObj(spec) || !Array.isArray(spec.containers) || spec.containers.length === 0) {
    throw invalid(kind, "", name, "spec.template.spec.containers", [], "Required value");
  }
  const containers = spec.containers.map(defaultContainer);
  for (const c of containers) {
    // Parse now so a bad quantity is a 422 here, not a crash in the scheduler later.
    for (const [field, value] of Object.entries({ ...c.resources.requests, ...c.resources.limits })) {
      try {
        if (field === "cpu") cpuMillis(value);
        else memoryBytes(value);
      } catch {
        throw invalid(
          kind,
          "",
          name,
          `spec.containers[0].resources.requests[${field}]`,
          value,
          "must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$",
        );
      }
    }
  }
  return {
    restartPolicy: "Always",
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
    schedulerName: "default-scheduler",
    serviceAccountName: "default",
    ...(spec as Partial<PodSpec>),
    containers,
  };
}

function defaultTemplate(spec: Obj, kind: string, group: string, name: string) {
  const template = isObj(spec.template) ? spec.template : {};
  const meta = isObj(template.metadata) ? template.metadata : {};
  const labels = (isObj(meta.labels) ? meta.labels : {}) as Record<string, string>;
  const selector = isObj(spec.selector) ? spec.selector : undefined;
  if (!selector) throw invalid(kind, group, name, "spec.selector", null, "Required value");
  if (!matchesRequirements(labels, requirementsOf(selector))) {
    throw invalid(kind, group, name, "spec.template.metadata.labels", labels, "`selector` does not match template `labels`");
  }
  return { metadata: { ...meta, labels }, spec: defaultPodSpec(template.spec, kind, name) };
}

function freeClusterIp(services: ServiceObject[]): string {
  const used = new Set(services.map((s) => s.spec.clusterIP));
  for (let i = 2; i < 65000; i++) {
    const ip = `10.96.${Math.floor(i / 250)}.${(i % 250) + 2}`;
    if (!used.has(ip)) return ip;
  }
  throw fail(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
}

function freeNodePort(services: ServiceObject[]): number {
  const used = new Set(services.flatMap((s) => s.spec.ports.map((p) => p.nodePort)));
  for (let p = 30000; p <= 32767; p++) if (!used.has(p)) return p;
  throw fail(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full");
}

/** Turns a client's create body into the object the store keeps, or throws a Status error. */
export function prepareCreate(type: ResourceType, namespace: string | undefined, body: unknown, ctx: CreateContext): KubeObject {
  if (!isObj(body)) throw badRequest("the request body must be a JSON object");
  if (body.kind !== undefined && body.kind !== type.kind) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${type.group ? `${type.group}/` : ""}${type.version}) or the kind ${String(body.kind)} is not ${type.kind}`,
    );
  }
  const meta = isObj(body.metadata) ? body.metadata : {};
  let name = typeof meta.name === "string" ? meta.name : "";
  if (!name && typeof meta.generateName === "string") name = `${meta.generateName}${ctx.random.suffix(5)}`;
  if (!name) throw invalid(type.kind, type.group, "", "metadata.name", "", "name or generateName is required");
  if (type.group === RBAC_GROUP) {
    // RBAC names are path segments ("system:discovery"), not DNS names.
    const bad = name === "." || name === ".." ? `may not be '${name}'` : ["/", "%"].find((c) => name.includes(c));
    if (bad) throw invalid(type.kind, type.group, name, "metadata.name", name, bad.startsWith("may") ? bad : `may not contain '${bad}'`);
  } else if (!DNS1123.test(name) || name.length > 253) {
    throw invalid(
      type.kind,
      type.group,
      name,
      "metadata.name",
      name,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'",
    );
  }
  if (type.namespaced && typeof meta.namespace === "string" && meta.namespace !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  if (type.fields) return prepareFields(type, namespace, body, meta, name, ctx);
  const spec = isObj(body.spec) ? { ...body.spec } : {};
  const workload = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(type.kind);
  const object: KubeObject = {
    ...body,
    apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
    kind: type.kind,
    metadata: {
      ...(meta as object),
      name,
      ...(type.namespaced ? { namespace } : {}),
      uid: ctx.random.uid(),
      resourceVersion: "",
      ...(workload || type.kind === "HorizontalPodAutoscaler" ? { generation: 1 } : {}),
      creationTimestamp: kubeTime(ctx.now),
    },
  } as KubeObject;
  delete (object.metadata as { deletionTimestamp?: string }).deletionTimestamp;

  switch (type.kind) {
    case "Deployment":
      object.spec = {
        replicas: 1,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        ...spec,
        template: defaultTemplate(spec, type.kind, type.group, name),
      };
      break;
    case "StatefulSet":
      object.spec = {
        replicas: 1,
        podManagementPolicy: "OrderedReady",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 10,
        serviceName: "",
        ...spec,
        template: defaultTemplate(spec, type.kind, type.group, name),
      };
      break;
    case "DaemonSet":
      object.spec = {
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        revisionHistoryLimit: 10,
        ...spec,
        template: defaultTemplate(spec, type.kind, type.group, name),
      };
      break;
    case "ReplicaSet":
      object.spec = { replicas: 1, ...spec, template: defaultTemplate(spec, type.kind, type.group, name) };
      break;
    case "Pod":
      object.spec = defaultPodSpec(spec, "Pod", name);
      object.status = { phase: "Pending", conditions: [], qosClass: "Burstable" };
      return object;
    case "Service": {
      const svcType = typeof spec.type === "string" ? spec.type : "ClusterIP";
      const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p: Obj): Obj => ({ protocol: "TCP", targetPort: p.port, ...p }));
      const withNodePorts = svcType === "NodePort" || svcType === "LoadBalancer";
      const clusterIP =
        spec.clusterIP === "None"
          ? "None"
          : typeof spec.clusterIP === "string" && spec.clusterIP
            ? spec.clusterIP
            : freeClusterIp(ctx.services);
      const taken = [...ctx.services];
      object.spec = {
        sessionAffinity: "None",
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        internalTrafficPolicy: "Cluster",
        ...spec,
        type: svcType,
        clusterIP,
        clusterIPs: [clusterIP],
        ports: ports.map((p) => {
          if (!withNodePorts || p.nodePort) return p;
          const nodePort = freeNodePort(taken);
          taken.push({ spec: { ports: [{ nodePort }] } } as ServiceObject);
          return { ...p, nodePort };
        }),
      };
      object.status = { loadBalancer: {} };
      return object;
    }
    case "PersistentVolumeClaim": {
      const modes = spec.accessModes;
      if (!Array.isArray(modes) || modes.length === 0) {
        throw invalid(type.kind, type.group, name, "spec.accessModes", modes ?? [], "at least 1 access mode is required");
      }
      const resources = isObj(spec.resources) ? spec.resources : {};
      const storage = isObj(resources.requests) ? resources.requests.storage : undefined;
      if (typeof storage !== "string" && typeof storage !== "number") {
        throw invalid(type.kind, type.group, name, "spec.resources[storage]", "", "Required value");
      }
      const storageClassName = typeof spec.storageClassName === "string" ? spec.storageClassName : ctx.defaultStorageClass;
      object.spec = {
        volumeMode: "Filesystem",
        ...spec,
        resources: { ...resources, requests: { ...(resources.requests as Obj), storage: String(storage) } },
        ...(storageClassName !== undefined ? { storageClassName } : {}),
      };
      delete (object.spec as Obj).volumeName;
      object.status = { phase: "Pending" };
      return object;
    }
    case "PersistentVolume":
      object.spec = { persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem", ...spec };
      object.status = { phase: "Available" };
      return object;
    case "Namespace":
      object.metadata.labels = { ...object.metadata.labels, "kubernetes.io/metadata.name": name };
      object.spec = { finalizers: ["kubernetes"] };
      object.status = { phase: "Active" };
      return object;
    default:
      object.spec = spec;
  }
  object.status = {};
  return object;
}

/** Kinds without spec/status (RBAC): their declared fields, validated; anything else in the body is dropped. */
function prepareFields(
  type: ResourceType,
  namespace: string | undefined,
  body: Obj,
  meta: Obj,
  name: string,
  ctx: CreateContext,
): KubeObject {
  const object: KubeObject = {
    apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
    kind: type.kind,
    metadata: {
      ...(isObj(meta.labels) ? { labels: meta.labels as Record<string, string> } : {}),
      ...(isObj(meta.annotations) ? { annotations: meta.annotations as Record<string, string> } : {}),
      name,
      ...(type.namespaced ? { namespace } : {}),
      uid: ctx.random.uid(),
      resourceVersion: "",
      creationTimestamp: kubeTime(ctx.now),
    },
  };
  for (const field of type.fields ?? []) if (body[field] !== undefined && body[field] !== null) object[field] = body[field];
  if (type.group === RBAC_GROUP) prepareRbac(type, object);
  return object;
}

export function alreadyExists(type: ResourceType, name: string) {
  return fail(409, "AlreadyExists", `${qualifiedName(type)} "${name}" already exists`, {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.plural,
  });
}
