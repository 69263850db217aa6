// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does:
//
//   - acquire: the lease is absent, released (no holder) or expired (renewTime +
//     leaseDurationSeconds < now; this trusts the candidates' clocks to agree within a fraction of
//     the lease duration);
//   - lead: renew every retryPeriod; if no renewal succeeds for renewDeadline, or another holder
//     shows up, leadership is lost: the signal given to onStartedLeading aborts and
//     onStoppedLeading runs;
//   - every write carries the resourceVersion read, so of two racing candidates one gets a 409.
//
// Unlike client-go's Run, which returns once leadership is lost, run() goes back to acquiring
// until stop(): onStartedLeading may be called again with a fresh signal.
import { RESOURCES, type KubeObject, formatMicroTime, parseTime } from '@skiff/api';
import { isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import type { ResourceRef } from './paths.ts';
import type { RestClient } from './rest-client.ts';
import { WakeableSleep } from './wakeable-sleep.ts';

const LEASES: ResourceRef = RESOURCES.find((r) => r.group === 'coordination.k8s.io' && r.plural === 'leases')!;

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaderElectorOptions {
  client: RestClient;
  /** Lease name, e.g. `skiff-scheduler`. */
  name: string;
  /** Default `kube-system`. */
  namespace?: string;
  /** Unique per candidate, e.g. hostname + pid. */
  identity: string;
  /** How long others wait after the last renewal before taking over; default 15 s (whole seconds on the wire). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before giving up; default 10 s. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew; default 2 s. */
  retryPeriodMs?: number;
  /** On stop(), clear the holder so another candidate takes over at once (client-go's ReleaseOnCancel). */
  releaseOnStop?: boolean;
  /** Leadership gained; `signal` aborts when it is lost or the elector stops. */
  onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  /** The holder observed changed (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  /** Failed requests (retried regardless); default console.warn. */
  onError?: (err: unknown) => void;
  /**
   * Written on the Lease whenever this candidate acquires or renews it, so readers of the Lease
   * learn something about the current leader (skiff's scheduler puts its explain endpoint here).
   */
  annotations?: Record<string, string>;
}

export class LeaderElector {
  private readonly opts: Required<Pick<LeaderElectorOptions, 'namespace' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>> & LeaderElectorOptions;
  private leading?: AbortController;
  private observedHolder?: string;
  private stopped = false;
  private running?: Promise<void>;
  private readonly pause = new WakeableSleep();

  constructor(opts: LeaderElectorOptions) {
    // Options given as undefined must not wipe out the defaults.
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as LeaderElectorOptions;
    this.opts = { namespace: 'kube-system', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...given };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.opts;
    if (!(leaseDurationMs > renewDeadlineMs)) throw new Error('leaseDuration must be greater than renewDeadline');
    if (!(renewDeadlineMs > retryPeriodMs * 1.2)) throw new Error('renewDeadline must be greater than retryPeriod * 1.2');
    if (!opts.identity) throw new Error('identity is required');
  }

  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** The holder last observed, if any. */
  getLeader(): string | undefined {
    return this.observedHolder;
  }

  /** Starts campaigning in the background (idempotent). */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops campaigning; a leader steps down (and releases the lease with releaseOnStop). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pause.wake();
    await this.running;
  }

  private async run(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.opts;
    while (!this.stopped) {
      if (!(await this.attempt(retryPeriodMs * 2))) {
        await this.pause.sleep(retryPeriodMs * (1 + 0.2 * Math.random()));
        continue;
      }
      if (this.stopped) {
        if (this.opts.releaseOnStop) await this.release();
        break;
      }
      this.startLeading();
      let lastRenew = Date.now();
      while (!this.stopped) {
        await this.pause.sleep(retryPeriodMs);
        if (this.stopped) break;
        if (await this.attempt(renewDeadlineMs - (Date.now() - lastRenew))) {
          lastRenew = Date.now();
          continue;
        }
        const stolen = this.observedHolder !== undefined && this.observedHolder !== this.opts.identity;
        if (stolen || Date.now() - lastRenew >= renewDeadlineMs) break;
      }
      if (this.stopped && this.opts.releaseOnStop) await this.release();
      this.stopLeading();
    }
  }

  /** One tryAcquireOrRenew bounded by `budgetMs`; false when it failed, lost a race or timed out. */
  private async attempt(budgetMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, budgetMs))));
    const result = await Promise.race([this.tryAcquireOrRenew(), timeout]);
    clearTimeout(timer);
    return result;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, name, namespace, identity } = this.opts;
    const now = Date.now();
    try {
      let lease: KubeObject;
      try {
        lease = await client.get(LEASES, namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, annotations: this.opts.annotations }, spec: this.spec(undefined, now) };
        await client.create(LEASES, created);
        this.observe(identity);
        return true;
      }
      const spec: LeaseSpec = lease.spec ?? {};
      this.observe(spec.holderIdentity);
      if (spec.holderIdentity && spec.holderIdentity !== identity && !this.expired(spec, now)) return false;
      // The resourceVersion read makes this a compare-and-swap: a 409 means another candidate won.
      const annotations = this.opts.annotations ? { ...lease.metadata.annotations, ...this.opts.annotations } : lease.metadata.annotations;
      await client.update(LEASES, { ...lease, metadata: { ...lease.metadata, annotations }, spec: this.spec(spec, now) });
      this.observe(identity);
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.report(err);
      return false;
    }
  }

  private spec(prev: LeaseSpec | undefined, now: number): LeaseSpec {
    const same = prev?.holderIdentity === this.opts.identity;
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.opts.leaseDurationMs / 1000)),
      acquireTime: same && prev?.acquireTime ? prev.acquireTime : formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: (prev?.leaseTransitions ?? 0) + (prev?.holderIdentity && !same ? 1 : 0),
    };
  }

  private expired(spec: LeaseSpec, now: number): boolean {
    const renewed = parseTime(spec.renewTime ?? '');
    if (Number.isNaN(renewed)) return true;
    return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now;
  }

  /** Clears the holder if it is still us, so others need not wait for expiry. */
  private async release(): Promise<void> {
    const { client, name, namespace, identity } = this.opts;
    try {
      const lease = await client.get(LEASES, namespace, name);
      if (lease.spec?.holderIdentity !== identity) return;
      const now = formatMicroTime(Date.now());
      await client.update(LEASES, { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now } });
    } catch (err) {
      this.report(err);
    }
  }

  private startLeading(): void {
    const controller = new AbortController();
    this.leading = controller;
    try {
      Promise.resolve(this.opts.onStartedLeading?.(controller.signal)).catch((err) => this.report(err));
    } catch (err) {
      this.report(err);
    }
  }

  private stopLeading(): void {
    const controller = this.leading;
    if (!controller) return;
    this.leading = undefined;
    controller.abort();
    try {
      this.opts.onStoppedLeading?.();
    } catch (err) {
      this.report(err);
    }
  }

  private observe(holder: string | undefined): void {
    if (holder === this.observedHolder) return;
    this.observedHolder = holder;
    if (holder) {
      try {
        this.opts.onNewLeader?.(holder);
      } catch (err) {
        this.report(err);
      }
    }
  }

  private report(err: unknown): void {
    (this.opts.onError ?? ((e) => console.warn(`leader election ${this.opts.namespace}/${this.opts.name}:`, (e as Error)?.message ?? e)))(err);
  }
}
