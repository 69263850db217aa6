// What the API server's per-kind "strategy" does before storing an object, separate from
// defaulting because it depends on the operation: status is reset on create and kept from the
// old object on update, generation counts spec changes, and namespaces gain their finalizer
// only on create (the namespace controller removes it later, and an update must not re-add it).

import type { KubeObject } from '../object.ts';
import type { ResourceInfo } from '../resources.ts';
import { getPodQOSClass } from '../helpers/pods.ts';
import { deepCopy } from './index.ts';

type Obj = Record<string, any>;
type Kind = Pick<ResourceInfo, 'group' | 'kind' | 'subresources'>;

export const NAMESPACE_FINALIZER = 'kubernetes';

// Kinds whose metadata.generation counts spec changes, and whose status starts empty.
const GENERATION_KINDS = new Set(['apps/Deployment', 'apps/ReplicaSet', '/ReplicationController', '/Pod']);

function key(r: Kind): string {
  return `${r.group}/${r.kind}`;
}

/** Returns a copy of `obj` prepared for storage on create. Call after applyDefaults. */
export function prepareForCreate<T extends KubeObject>(resource: Kind, obj: T): T {
  const out = deepCopy(obj) as Obj;
  out.metadata ??= {};
  switch (key(resource)) {
    case '/Namespace': {
      out.spec ??= {};
      const finalizers: string[] = out.spec.finalizers ?? [];
      if (!finalizers.includes(NAMESPACE_FINALIZER)) out.spec.finalizers = [...finalizers, NAMESPACE_FINALIZER];
      out.status = { phase: 'Active' };
      break;
    }
    case '/Pod':
      out.status = { phase: 'Pending', qosClass: getPodQOSClass(out as KubeObject) };
      break;
    case '/Service':
      out.status = { loadBalancer: {} };
      normalizeClusterIPs(out.spec);
      break;
    case 'apps/Deployment':
      out.status = {};
      break;
    case 'apps/ReplicaSet':
    case '/ReplicationController':
      out.status = { replicas: 0 };
      break;
  }
  if (GENERATION_KINDS.has(key(resource))) out.metadata.generation = 1;
  return out as T;
}

/** clusterIP and clusterIPs[0] describe the same thing; fill whichever the client left out. */
function normalizeClusterIPs(spec: Obj | undefined): void {
  if (!spec || spec.type === 'ExternalName') return;
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  else if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
}

/**
 * An update that omits allocated values (clusterIP, nodePorts), as `kubectl apply` of the
 * original manifest does, keeps the stored ones instead of failing immutability checks.
 */
function keepAllocatedValues(spec: Obj | undefined, oldSpec: Obj | undefined): void {
  if (!spec || !oldSpec || spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return;
  if (!spec.clusterIP && !spec.clusterIPs?.length && oldSpec.clusterIP) {
    spec.clusterIP = oldSpec.clusterIP;
    if (oldSpec.clusterIPs) spec.clusterIPs = [...oldSpec.clusterIPs];
  }
  normalizeClusterIPs(spec);
  const needsNodePorts = (t: unknown) => t === 'NodePort' || t === 'LoadBalancer';
  if (needsNodePorts(spec.type) && needsNodePorts(oldSpec.type)) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const prev = (oldSpec.ports ?? []).find((o: Obj) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (prev?.nodePort) p.nodePort = prev.nodePort;
    }
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as Obj);
  const kb = Object.keys(b as Obj);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!jsonEqual((a as Obj)[k], (b as Obj)[k])) return false;
  return true;
}

/**
 * For a main-resource update: kinds with a status subresource keep the stored status, and
 * generation is bumped when the spec changed.
 */
export function prepareForUpdate<T extends KubeObject>(resource: Kind, obj: T, old: KubeObject): T {
  const out = deepCopy(obj) as Obj;
  out.metadata ??= {};
  if (resource.subresources.includes('status')) {
    if (old.status === undefined) delete out.status;
    else out.status = deepCopy(old.status);
  }
  if (key(resource) === '/Namespace') {
    // Finalizers change only through the finalize subresource.
    out.spec = { ...(out.spec ?? {}), finalizers: deepCopy(old.spec?.finalizers) };
    if (out.spec.finalizers === undefined) delete out.spec.finalizers;
  }
  if (key(resource) === '/Service') keepAllocatedValues(out.spec, old.spec);
  const oldGen = old.metadata?.generation ?? 0;
  if (GENERATION_KINDS.has(key(resource)) && !jsonEqual(out.spec, old.spec)) out.metadata.generation = oldGen + 1;
  else if (old.metadata?.generation !== undefined) out.metadata.generation = oldGen;
  return out as T;
}

/**
 * For a `/status` update: the spec comes from the stored object (and, for apps kinds, the
 * labels too, as their status strategies do); metadata such as resourceVersion stays the
 * caller's so optimistic concurrency still applies.
 */
export function prepareForStatusUpdate<T extends KubeObject>(resource: Kind, obj: T, old: KubeObject): T {
  const out = deepCopy(obj) as Obj;
  out.metadata ??= {};
  if (old.spec === undefined) delete out.spec;
  else out.spec = deepCopy(old.spec);
  if (resource.group === 'apps') {
    if (old.metadata?.labels === undefined) delete out.metadata.labels;
    else out.metadata.labels = deepCopy(old.metadata.labels);
  }
  if (old.metadata?.generation !== undefined) out.metadata.generation = old.metadata.generation;
  return out as T;
}
