// pods/NAME/eviction (policy/v1 Eviction): a pod deletion that respects PodDisruptionBudgets, as
// kube-apiserver's EvictionREST does (pkg/registry/core/pod/storage/eviction.go). HTTP-free: the
// route decodes, this decides.
//
// - A pod that is Pending, finished or already terminating has caused its disruption already: it
//   is deleted without consulting budgets.
// - Otherwise every budget covering the pod must allow one disruption. Each is decremented with a
//   compare-and-swap status write (disruptionsAllowed - 1, and the pod in status.disruptedPods, so
//   the disruption controller does not count it as healthy while it goes): of two concurrent
//   evictions against a budget allowing one, the second write conflicts, re-reads, and is refused.
// - Refusals: 429 TooManyRequests naming the budget ("Cannot evict pod as it would violate the
//   pod's disruption budget."), also while the controller has not yet observed the budget's
//   generation; 403 for a negative count or an overfull disruptedPods.
// - A pod that is not Ready does not count towards a budget: with unhealthyPodEvictionPolicy
//   AlwaysAllow, or (IfHealthyBudget, the default) while the budget is met, it is deleted without
//   a decrement, guarded by a resourceVersion precondition so it cannot have become Ready since.
// - The Eviction's deleteOptions (grace period, preconditions, propagation, dryRun) apply to the
//   deletion; the pod gets the DisruptionTarget condition (EvictionByEvictionAPI) first.
// - Unlike Kubernetes, which answers 500 for a pod covered by several budgets, skiff requires
//   every one of them to allow the eviction (docs/adr/0015-disruption-budgets.md).
import { budgetCoversPod, DISRUPTION_BUDGET_CAUSE, formatTime, isPodReady, withDisruptionAllowedCondition, type BudgetCondition, type KubeObject } from '@skiff/api';
import { ApiError, conflict, forbidden } from '../errors/status.ts';
import { unpinned, type DeleteOptions, type ResourceStore } from './store.ts';

/** More pending evictions than this in one budget means the controller is not keeping up (MaxDisruptedPodSize). */
export const MAX_DISRUPTED_PODS = 2000;
const EVICTION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
const PDB_REF = { plural: 'poddisruptionbudget', group: 'policy' };

export interface EvictOptions {
  pods: ResourceStore;
  budgets: ResourceStore;
  namespace: string;
  name: string;
  deleteOptions: DeleteOptions;
  now?: () => number;
}

interface BudgetStatus {
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  conditions?: BudgetCondition[];
}

function tooManyRequests(cause: string, retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'TooManyRequests', EVICTION_MESSAGE, { causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }], ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) });
}

/** createTooManyRequestsError: the budget's status is older than its spec. */
function budgetNotObserved(name: string): ApiError {
  return tooManyRequests(`The disruption budget ${name} is still being processed by the server.`, 10);
}

/** canIgnorePDB: a Pending, finished or terminating pod is deleted without consulting budgets. */
export function canIgnoreBudgets(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' || !!pod.metadata.deletionTimestamp;
}

/** shouldEnforceResourceVersion: all but finished and terminating pods are deleted at the version read. */
function shouldEnforceResourceVersion(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

/** Whether a pod that is not Ready may go without using up the budget's allowance. */
export function unhealthyPodMayGo(pdb: KubeObject, pod: KubeObject): boolean {
  if (isPodReady(pod)) return false;
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const s = (pdb.status ?? {}) as BudgetStatus;
  return (s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0) && (s.desiredHealthy ?? 0) > 0;
}

/**
 * checkAndDecrement, pure: the budget's next status with one disruption used by `podName`, or the
 * refusal. A dry run decrements without recording the pod.
 */
export function planBudgetDecrement(pdb: KubeObject, podName: string, now: number, dryRun: boolean): BudgetStatus {
  const name = pdb.metadata.name!;
  const s = (pdb.status ?? {}) as BudgetStatus;
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw budgetNotObserved(name);
  const allowed = s.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbidden(PDB_REF, name, 'pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw forbidden(PDB_REF, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`, 0);
  let next: BudgetStatus = { ...s, disruptionsAllowed: allowed - 1 };
  if (next.disruptionsAllowed === 0) next = withDisruptionAllowedCondition(next, formatTime(now));
  if (!dryRun) next.disruptedPods = { ...(s.disruptedPods ?? {}), [podName]: formatTime(now) };
  return next;
}

/** Evicts a pod; resolves once it is deleted (or marked for graceful deletion), throws the refusal otherwise. */
export async function evictPod(o: EvictOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const original = o.deleteOptions;
  const dryRun = !!original.dryRun;
  const rvUnset = !original.preconditions?.resourceVersion;

  // Pods that can go regardless of budgets; a conflict (the pod changed under the delete) re-reads,
  // unless the caller pinned a resourceVersion.
  let pod: KubeObject | undefined;
  for (let attempt = 0; ; attempt++) {
    pod = await o.pods.get(o.namespace, o.name);
    if (!canIgnoreBudgets(pod)) break;
    const opts = shouldEnforceResourceVersion(pod) && rvUnset ? withResourceVersion(original, pod.metadata.resourceVersion!) : original;
    try {
      await deleteWithCondition(o.pods, o.namespace, o.name, opts);
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409 && rvUnset && attempt < 20)) throw e;
    }
  }

  const budgets = (await o.budgets.storage.list(o.budgets.key, { namespace: o.namespace })).items.filter((b) => budgetCoversPod(b, pod!));
  budgets.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  let unhealthySkip = false;
  const taken: string[] = [];
  try {
    for (const pdb of budgets) {
      if (unhealthyPodMayGo(pdb, pod)) {
        unhealthySkip = true;
        continue;
      }
      await decrementBudget(o, pdb.metadata.name!, now, dryRun);
      if (!dryRun) taken.push(pdb.metadata.name!);
    }
  } catch (e) {
    await giveBack(o, taken);
    throw e;
  }

  // Deleted at the version read, so a pod that became Ready since is not deleted on a stale verdict.
  const opts = unhealthySkip ? withResourceVersion(original, pod.metadata.resourceVersion!) : original;
  try {
    await deleteWithCondition(o.pods, o.namespace, o.name, opts);
  } catch (e) {
    await giveBack(o, taken);
    if (e instanceof ApiError && e.code === 409 && unhealthySkip && rvUnset) throw budgetNotObserved(budgets[0]?.metadata.name ?? '');
    throw e;
  }
}

/** EvictionsRetry: how often a budget write that keeps meeting concurrent writes is tried again, and the pause between. */
const BUDGET_WRITE_ATTEMPTS = 20;
const BUDGET_WRITE_PAUSE_MS = 50;

/**
 * The status write is a compare-and-swap on the budget's resourceVersion; the store re-reads and
 * recomputes on a conflict, so a concurrent eviction's decrement is seen. A burst of evictions (a
 * node drained) can outlast the store's immediate retries: those are tried again after a short,
 * jittered pause, and past that the answer is kube-apiserver's 504 Timeout.
 */
async function decrementBudget(o: EvictOptions, name: string, now: () => number, dryRun: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await o.budgets.update(o.namespace, name, {
        subresource: 'status',
        dryRun,
        compute: (current) => unpinned({ ...current, status: planBudgetDecrement(current, o.name, now(), dryRun) }),
      });
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      if (attempt >= BUDGET_WRITE_ATTEMPTS) throw new ApiError(504, 'Timeout', `couldn't update PodDisruptionBudget ${JSON.stringify(name)} due to conflicts`, { retryAfterSeconds: 10 });
      await new Promise((r) => setTimeout(r, BUDGET_WRITE_PAUSE_MS * (0.5 + Math.random())));
    }
  }
}

function withResourceVersion(opts: DeleteOptions, resourceVersion: string): DeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion } };
}

/**
 * addConditionAndDeletePod: the DisruptionTarget condition (unless a dry run), then the deletion
 * with the caller's options; a resourceVersion precondition moves to the version the condition wrote.
 */
async function deleteWithCondition(pods: ResourceStore, namespace: string, name: string, opts: DeleteOptions): Promise<void> {
  let options = opts;
  if (!opts.dryRun) {
    const res = await pods.update(namespace, name, {
      subresource: 'status',
      compute: (current) => {
        const p = opts.preconditions;
        if (p?.uid && p.uid !== current.metadata.uid) throw conflict({ plural: 'Pod', group: '' }, name, `the UID in the precondition (${p.uid}) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`);
        if (p?.resourceVersion && p.resourceVersion !== current.metadata.resourceVersion) throw conflict({ plural: 'Pod', group: '' }, name, `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`);
        const conditions = ((current.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[]).slice();
        const cond = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: formatTime(), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
        const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
        if (i >= 0) {
          const old = conditions[i];
          conditions[i] = old.status === 'True' ? { ...old, reason: cond.reason, message: cond.message } : cond;
        } else conditions.push(cond);
        return unpinned({ ...current, status: { ...(current.status ?? {}), conditions } });
      },
    });
    if (opts.preconditions?.resourceVersion) options = withResourceVersion(opts, res.object.metadata.resourceVersion!);
  }
  await pods.delete(namespace, name, options);
}

/** Undoes the decrements of an eviction that did not happen (another budget refused, or the delete failed). */
async function giveBack(o: EvictOptions, budgets: readonly string[]): Promise<void> {
  for (const name of budgets) {
    await o.budgets
      .update(o.namespace, name, {
        subresource: 'status',
        compute: (current) => {
          const s = (current.status ?? {}) as BudgetStatus;
          if (s.disruptedPods?.[o.name] === undefined) return current;
          const disruptedPods = { ...s.disruptedPods };
          delete disruptedPods[o.name];
          const status: BudgetStatus = withDisruptionAllowedCondition({ ...s, disruptionsAllowed: (s.disruptionsAllowed ?? 0) + 1, disruptedPods }, formatTime());
          if (Object.keys(disruptedPods).length === 0) delete status.disruptedPods;
          return unpinned({ ...current, status });
        },
      })
      .catch(() => undefined); // the budget is gone, or the controller recounts it on its next sync anyway
  }
}
