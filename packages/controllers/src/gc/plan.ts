// Garbage collection decisions over ownerReferences. Deleting an owner with Background
// propagation removes it at once; its dependents, now pointing at an absent owner, are deleted
// here. Foreground keeps the owner (finalizer foregroundDeletion) until its blocking dependents
// are gone. Orphan (finalizer orphan) strips the reference from the dependents and keeps them.
import type { KubeObject, OwnerReference } from '@skiff/api';

export const FINALIZER_FOREGROUND = 'foregroundDeletion';
export const FINALIZER_ORPHAN = 'orphan';

export type GcAction =
  | { kind: 'delete'; object: KubeObject; propagationPolicy: 'Background' | 'Foreground' }
  | { kind: 'removeOwnerReferences'; object: KubeObject; uids: string[] }
  | { kind: 'removeFinalizer'; object: KubeObject; finalizer: string };

export type OwnerState = 'present' | 'absent' | 'deletingForeground';

const deleting = (o: KubeObject) => Boolean(o.metadata.deletionTimestamp);

/** The propagation to delete a dependent with: Foreground if it owns things itself. */
function propagationFor(obj: KubeObject, hasDependents: (uid: string) => boolean): 'Background' | 'Foreground' {
  return hasDependents(obj.metadata.uid!) ? 'Foreground' : 'Background';
}

/**
 * For an owner being deleted with a GC finalizer: what to do with its `dependents` (objects with
 * an ownerReference to its uid) and when to drop the finalizer.
 */
export function computeOwnerActions(owner: KubeObject, dependents: readonly KubeObject[], hasDependents: (uid: string) => boolean): GcAction[] {
  if (!deleting(owner)) return [];
  const finalizers = owner.metadata.finalizers ?? [];
  const uid = owner.metadata.uid!;
  const actions: GcAction[] = [];
  if (finalizers.includes(FINALIZER_ORPHAN)) {
    for (const d of dependents) actions.push({ kind: 'removeOwnerReferences', object: d, uids: [uid] });
    actions.push({ kind: 'removeFinalizer', object: owner, finalizer: FINALIZER_ORPHAN });
    return actions;
  }
  if (finalizers.includes(FINALIZER_FOREGROUND)) {
    const refTo = (d: KubeObject) => d.metadata.ownerReferences?.find((r) => r.uid === uid);
    for (const d of dependents) if (!deleting(d)) actions.push({ kind: 'delete', object: d, propagationPolicy: propagationFor(d, hasDependents) });
    const blocking = dependents.filter((d) => refTo(d)?.blockOwnerDeletion === true);
    if (blocking.length === 0) actions.push({ kind: 'removeFinalizer', object: owner, finalizer: FINALIZER_FOREGROUND });
  }
  return actions;
}

/**
 * For a dependent: delete it when every owner is gone (Background, as Kubernetes does) or is
 * deleting in the foreground and waits for it (Foreground if it owns things itself, so that the
 * wait cascades), or drop the references to absent owners when some remain.
 */
export function computeDependentActions(dependent: KubeObject, ownerState: (ref: OwnerReference) => OwnerState, hasDependents: (uid: string) => boolean): GcAction[] {
  const refs = dependent.metadata.ownerReferences ?? [];
  if (refs.length === 0 || deleting(dependent)) return [];
  const states = refs.map((r) => ({ ref: r, state: ownerState(r) }));
  const absent = states.filter((s) => s.state === 'absent');
  const live = states.filter((s) => s.state !== 'absent');
  // Every owner is gone: delete it in the background (its own dependents follow the same way).
  if (live.length === 0) return [{ kind: 'delete', object: dependent, propagationPolicy: 'Background' }];
  if (live.every((s) => s.state === 'deletingForeground')) {
    // The owner(s) wait for this dependent: delete it, in the foreground if it owns things too.
    return [{ kind: 'delete', object: dependent, propagationPolicy: propagationFor(dependent, hasDependents) }];
  }
  if (absent.length > 0) return [{ kind: 'removeOwnerReferences', object: dependent, uids: absent.map((s) => s.ref.uid) }];
  return [];
}
