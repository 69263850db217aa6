// pod-template-hash: a stable hash of a Deployment's pod template, naming its ReplicaSet.
import type { KubeObject } from '@skiff/api';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** JSON with object keys sorted, so that equal templates print equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// The alphabet of Kubernetes' rand.SafeEncodeString: no vowels (no words), no look-alikes.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Copy of `template` without the pod-template-hash label (empty labels are dropped too). */
export function templateWithoutHash(template: any): any {
  const t = structuredClone(template ?? {});
  const labels = t.metadata?.labels;
  if (labels && POD_TEMPLATE_HASH_LABEL in labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
  }
  if (t.metadata?.labels && Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  if (t.metadata && Object.keys(t.metadata).length === 0) delete t.metadata;
  return t;
}

/** The hash of a pod template, as a short DNS-safe string; `collisionCount` perturbs it. */
export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  return computeObjectHash(templateWithoutHash(template), collisionCount);
}

/** The hash of any JSON value (key order ignored), as a short DNS-safe string; `collisionCount` perturbs it. */
export function computeObjectHash(value: unknown, collisionCount?: number): string {
  let text = canonicalJson(value);
  if (collisionCount) text += `#${collisionCount}`;
  return [...String(fnv1a32(text))].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** Equal apart from the pod-template-hash label (Kubernetes' EqualIgnoreHash). */
export function templatesEqualIgnoringHash(a: unknown, b: unknown): boolean {
  return canonicalJson(templateWithoutHash(a)) === canonicalJson(templateWithoutHash(b));
}

/** Among `replicaSets`, the oldest whose template equals the deployment's: the new ReplicaSet. */
export function findNewReplicaSet(deployment: KubeObject, replicaSets: readonly KubeObject[]): KubeObject | undefined {
  const sorted = sortByCreation(replicaSets);
  return sorted.find((rs) => templatesEqualIgnoringHash(rs.spec?.template, deployment.spec?.template));
}

/** Oldest first; ties broken by name. */
export function sortByCreation(objs: readonly KubeObject[]): KubeObject[] {
  return [...objs].sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return ta - tb;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
}
