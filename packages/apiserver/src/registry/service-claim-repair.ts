// The repair loop of Service address claims (./service-claims.ts), as kube-apiserver's repair
// controllers do for ClusterIPs and NodePorts (pkg/registry/core/service/ipallocator/controller
// and portallocator/controller): every few minutes, compare the claims with the Services.
// - A claim no Service explains (its Service is gone, or no longer has that address: a server
//   died between claim and create, or an update dropped a NodePort) is a leak. It is given back
//   only after it was seen leaked in several consecutive passes and unchanged (the same revision),
//   so a claim taken by a create still in flight is never taken from it; the delete is
//   conditional on that revision, so a claim re-taken meanwhile is left alone.
// - A Service address with no claim (Services stored before claims existed) is claimed for it.
// Several API servers may each run this: every step is a conditional write that may lose a race
// harmlessly.
import type { KubeObject } from '@skiff/api';
import type { Storage } from '../storage/types.ts';
import { StorageError } from '../storage/types.ts';
import { CLAIMS_RESOURCE, claimNames } from './service-claims.ts';

/** kube-apiserver's numRepairsBeforeLeakCleanup. */
export const PASSES_BEFORE_RELEASE = 3;
/** kube-apiserver repairs every 3 minutes. */
export const REPAIR_INTERVAL_MS = 3 * 60_000;

/** A claim seen leaked: at which revision, and in how many consecutive passes. */
export interface Suspect {
  revision: string;
  passes: number;
}

export interface ClaimRepairPlan {
  /** Leaked claims to give back now (delete if still at `revision`). */
  release: { name: string; revision: number }[];
  /** Addresses Services hold with no claim: claim them for `owner` (namespace/name). */
  claim: { name: string; owner: string }[];
  /** Leaked claims to keep watching, for the next pass. */
  suspects: Map<string, Suspect>;
}

const ownerOf = (svc: KubeObject) => `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;

export function planClaimRepair(services: KubeObject[], claims: KubeObject[], previous: ReadonlyMap<string, Suspect>, passesBeforeRelease = PASSES_BEFORE_RELEASE): ClaimRepairPlan {
  const held = new Map<string, Set<string>>(); // owner -> claim names its spec needs
  for (const svc of services) held.set(ownerOf(svc), new Set(claimNames(svc.spec)));
  const plan: ClaimRepairPlan = { release: [], claim: [], suspects: new Map() };
  const claimed = new Set<string>();
  for (const c of claims) {
    const name = c.metadata.name!;
    const owner = c.metadata.annotations?.['skiff.io/service'];
    if (owner !== undefined && held.get(owner)?.has(name)) {
      claimed.add(name);
      continue;
    }
    const revision = c.metadata.resourceVersion ?? '';
    const before = previous.get(name);
    const passes = before?.revision === revision ? before.passes + 1 : 1;
    if (passes >= passesBeforeRelease) plan.release.push({ name, revision: Number(revision) });
    else {
      plan.suspects.set(name, { revision, passes });
      claimed.add(name); // still held until released: not claimable for another Service yet
    }
  }
  for (const svc of services) {
    for (const name of claimNames(svc.spec)) {
      if (claimed.has(name)) continue;
      claimed.add(name); // two Services with one address: the first in the list gets the claim
      plan.claim.push({ name, owner: ownerOf(svc) });
    }
  }
  return plan;
}

export interface ClaimRepairOptions {
  intervalMs?: number;
  passesBeforeRelease?: number;
  log?: (msg: string, err?: unknown) => void;
}

/** Runs planClaimRepair against the store on a timer. */
export class ClaimRepair {
  private suspects = new Map<string, Suspect>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly storage: Storage;
  private readonly opts: ClaimRepairOptions;

  constructor(storage: Storage, opts: ClaimRepairOptions = {}) {
    this.storage = storage;
    this.opts = opts;
  }

  start(): void {
    const interval = this.opts.intervalMs ?? REPAIR_INTERVAL_MS;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .then(() => undefined)
        .catch((err) => this.opts.log?.('service address claim repair failed', err))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  /** One pass; returns what it did. */
  async runOnce(): Promise<{ released: string[]; claimed: string[] }> {
    // Claims first: a Service created between the two lists then has its claim in the first.
    const claims = (await this.storage.list(CLAIMS_RESOURCE)).items;
    const services = (await this.storage.list('services')).items;
    const plan = planClaimRepair(services, claims, this.suspects, this.opts.passesBeforeRelease);
    this.suspects = plan.suspects;
    const released: string[] = [];
    for (const { name, revision } of plan.release) {
      try {
        await this.storage.delete({ resource: CLAIMS_RESOURCE, namespace: '', name }, revision);
        released.push(name);
        this.opts.log?.(`service address claim ${name} released: no Service holds it`);
      } catch (e) {
        if (!(e instanceof StorageError && (e.code === 'NotFound' || e.code === 'Conflict'))) throw e;
      }
    }
    const claimed: string[] = [];
    for (const { name, owner } of plan.claim) {
      try {
        await this.storage.create({ resource: CLAIMS_RESOURCE, namespace: '', name }, { apiVersion: 'v1', kind: 'AddressClaim', metadata: { name, annotations: { 'skiff.io/service': owner } } });
        claimed.push(name);
      } catch (e) {
        if (!(e instanceof StorageError && e.code === 'AlreadyExists')) throw e;
      }
    }
    return { released, claimed };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
