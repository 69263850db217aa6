// The node's certificates while the agent runs, as the kubelet's certificate managers keep them
// (ADR 0019):
// - the endpoint's serving certificate (signer kubernetes.io/kubelet-serving, CN system:node:NAME,
//   SANs the node's address and name), asked for with the node's client certificate, kept in the
//   identity directory and reused while current;
// - renewal of both before they expire: at 80% of a certificate's lifetime (the kubelet picks
//   70-90%), a new key and a new CSR made with the node's current identity; the new client
//   certificate is written and used for every later request. A renewal that fails is retried
//   every 10 s while the current certificate lasts.
import { certificateInfo, KUBELET_CLIENT_SIGNER, KUBELET_CLIENT_USAGES, KUBELET_SERVING_SIGNER, KUBELET_SERVING_USAGES, NODES_GROUP, type KeyPair } from '@skiff/api';
import type { RestClient } from '@skiff/client';
import { requestCertificate } from './csr-request.ts';
import { loadServingCertificate, saveClientIdentity, saveServingCertificate } from './store.ts';

/** setTimeout's longest delay; a later deadline is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** When a certificate is due for renewal: `fraction` of its lifetime after notBefore. */
export function renewalTime(certPem: string, fraction = 0.8): Date {
  const { notBefore, notAfter } = certificateInfo(certPem);
  return new Date(notBefore.getTime() + fraction * (notAfter.getTime() - notBefore.getTime()));
}

export interface NodeCertificatesOptions {
  /** The agent's client: authenticated by the node's client certificate. */
  client: RestClient;
  nodeName: string;
  nodeIP: string;
  /** PEM of the cluster CA. */
  ca: string;
  /** The node's current client certificate. */
  clientPair: KeyPair;
  /** The identity directory: certificates are kept there, and the client certificate is renewed (a joined node's). */
  dir?: string;
  /** Ask for (and renew) a serving certificate; false for a node without an endpoint. */
  serving: boolean;
  /** A new serving certificate (the first, and each renewal). */
  onServing(pair: KeyPair): void;
  log(message: string): void;
  /** Share of a certificate's lifetime after which it is renewed; default 0.8. */
  renewFraction?: number;
  /** Wait after a failed request; default 10 000 ms. */
  retryMs?: number;
}

export class NodeCertificates {
  private readonly o: NodeCertificatesOptions;
  private clientPair: KeyPair;
  private servingPair: KeyPair | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();

  constructor(o: NodeCertificatesOptions) {
    this.o = o;
    this.clientPair = o.clientPair;
  }

  private get servingNames(): string[] {
    return [...new Set([this.o.nodeIP, this.o.nodeName])];
  }

  /** Gets the serving certificate (kept or new) and schedules the renewals. Returns at once. */
  start(): void {
    if (this.o.serving) {
      const kept = this.o.dir ? loadServingCertificate(this.o.dir, this.o.ca, this.servingNames) : undefined;
      if (kept) this.useServing(kept);
      else this.run('serving certificate', () => this.renewServing());
    }
    if (this.o.dir) this.schedule('client certificate', this.clientPair.cert, () => this.renewClient());
  }

  stop(): void {
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    if (this.abort.signal.aborted) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    t.unref();
    this.timers.add(t);
  }

  /** Runs `fn` at the renewal time of `certPem` (in steps past setTimeout's range). */
  private schedule(what: string, certPem: string, fn: () => Promise<void>): void {
    const due = renewalTime(certPem, this.o.renewFraction).getTime();
    const wait = due - Date.now();
    if (wait > MAX_TIMER_MS) return this.later(MAX_TIMER_MS, () => this.schedule(what, certPem, fn));
    this.later(wait, () => this.run(what, fn));
  }

  /** Runs a request, retrying it after retryMs until it succeeds or the agent stops. */
  private run(what: string, fn: () => Promise<void>): void {
    if (this.abort.signal.aborted) return;
    fn().catch((err: Error) => {
      if (this.abort.signal.aborted) return;
      this.o.log(`renewing the node's ${what} failed (retrying in ${(this.o.retryMs ?? 10_000) / 1000} s): ${err.message}`);
      this.later(this.o.retryMs ?? 10_000, () => this.run(what, fn));
    });
  }

  private useServing(pair: KeyPair): void {
    this.servingPair = pair;
    this.o.onServing(pair);
    this.schedule('serving certificate', pair.cert, () => this.renewServing());
  }

  private async renewServing(): Promise<void> {
    const pair = await requestCertificate(this.o.client, {
      commonName: `system:node:${this.o.nodeName}`,
      organizations: [NODES_GROUP],
      sans: this.servingNames,
      signerName: KUBELET_SERVING_SIGNER,
      usages: KUBELET_SERVING_USAGES,
      namePrefix: 'csr-',
      signal: this.abort.signal,
    });
    if (this.abort.signal.aborted) return;
    if (this.o.dir) saveServingCertificate(this.o.dir, pair);
    this.o.log(`serving certificate issued, valid until ${certificateInfo(pair.cert).notAfter.toISOString()}`);
    this.useServing(pair);
  }

  private async renewClient(): Promise<void> {
    const pair = await requestCertificate(this.o.client, {
      commonName: `system:node:${this.o.nodeName}`,
      organizations: [NODES_GROUP],
      signerName: KUBELET_CLIENT_SIGNER,
      usages: KUBELET_CLIENT_USAGES,
      namePrefix: 'node-csr-',
      signal: this.abort.signal,
    });
    if (this.abort.signal.aborted) return;
    saveClientIdentity(this.o.dir!, { ca: this.o.ca, ...pair });
    this.clientPair = pair;
    this.o.client.setClientCertificate(pair.cert, pair.key);
    this.o.log(`client certificate renewed, valid until ${certificateInfo(pair.cert).notAfter.toISOString()}`);
    this.schedule('client certificate', pair.cert, () => this.renewClient());
  }

  /** The current certificates (tests and diagnostics). */
  current(): { client: KeyPair; serving?: KeyPair } {
    return { client: this.clientPair, serving: this.servingPair };
  }
}
