// ControllerRevisions: the history of a DaemonSet's or StatefulSet's pod template, read by
// `kubectl rollout history|undo` (pkg/controller/history and the controllers' getPatch).
//
// A revision's data is the patch that restores the template: {"spec":{"template":{...,
// "$patch":"replace"}}}, which kubectl applies as a strategic merge patch on undo. Its name is
// `<owner>-<hash of data>`; the same hash is the revision's `controller-revision-hash` label. The
// newest revision has the highest `revision`; returning to an older template re-numbers that
// revision instead of making a copy, as Kubernetes does.
import { newControllerRef, type KubeObject } from '@skiff/api';
import { canonicalJson, computeObjectHash } from '../deployment/hash.ts';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

/** Kubernetes truncates the owner's name so that `<name>-<hash>` stays a valid name. */
const MAX_PREFIX = 223;

/** The patch a revision stores for `owner`'s current pod template. */
export function computeRevisionData(owner: KubeObject): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...structuredClone(owner.spec?.template ?? {}), $patch: 'replace' } } };
}

export function revisionDataEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** A new ControllerRevision for `owner`'s current template (not yet stored). */
export function computeControllerRevision(owner: KubeObject, revision: number, collisionCount = 0): KubeObject {
  const data = computeRevisionData(owner);
  const hash = computeObjectHash(data, collisionCount);
  const prefix = (owner.metadata.name ?? '').slice(0, MAX_PREFIX);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${prefix}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...(owner.spec?.template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(owner)],
    },
    data,
    revision,
  };
}

export function revisionNumber(cr: KubeObject): number {
  return typeof cr.revision === 'number' ? cr.revision : 0;
}

/** Oldest revision first (ties by name, as history.SortControllerRevisions). */
export function sortRevisions(revisions: readonly KubeObject[]): KubeObject[] {
  return [...revisions].sort((a, b) => revisionNumber(a) - revisionNumber(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}

export type RevisionPlan =
  /** The newest revision already holds the template. */
  | { action: 'none'; update: KubeObject }
  /** An older revision holds it: give it the next number (a rollback). */
  | { action: 'renumber'; update: KubeObject; revision: number }
  /** No revision holds it: store this one. */
  | { action: 'create'; update: KubeObject };

/** Which revision is `owner`'s update revision, and what to write to make it so. */
export function planUpdateRevision(owner: KubeObject, revisions: readonly KubeObject[], collisionCount = 0): RevisionPlan {
  const sorted = sortRevisions(revisions);
  const next = sorted.length > 0 ? revisionNumber(sorted[sorted.length - 1]) + 1 : 1;
  const data = computeRevisionData(owner);
  const equal = sorted.filter((r) => revisionDataEqual(r.data, data));
  if (equal.length > 0) {
    const found = equal[equal.length - 1];
    if (found === sorted[sorted.length - 1]) return { action: 'none', update: found };
    return { action: 'renumber', update: found, revision: next };
  }
  return { action: 'create', update: computeControllerRevision(owner, next, collisionCount) };
}

/**
 * The revisions to delete so at most `limit` remain besides the live ones (those named in
 * `live`: the current and update revisions, and those pods still run), oldest first.
 */
export function planHistoryTruncation(revisions: readonly KubeObject[], live: ReadonlySet<string>, limit: number): KubeObject[] {
  const old = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name ?? ''));
  return old.slice(0, Math.max(0, old.length - Math.max(0, limit)));
}
