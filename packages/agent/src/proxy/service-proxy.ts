// The built-in service proxy: a userspace TCP load balancer. For every Service port it listens on
// the ClusterIP (and on the node IP for NodePorts) and hands each connection to the next ready
// endpoint, round-robin, trying the next one when a backend refuses. It follows Services and
// Endpoints through informers and reconciles its listeners whenever either changes.
import { SERVICES, ENDPOINTS } from '@skiff/api';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';
import { computeProxyTable, type Backend, type ProxyRule } from './table.ts';

const CONNECT_TIMEOUT_MS = 2000;

interface Listener {
  rule: ProxyRule;
  server: Server;
  next: number;
  sockets: Set<Socket>;
}

export interface ServiceProxyOptions {
  client: RestClient;
  nodeIP: string;
  log(message: string): void;
}

export class ServiceProxy {
  private readonly o: ServiceProxyOptions;
  private readonly listeners = new Map<string, Listener>();
  private readonly services: Informer<KubeObject>;
  private readonly endpoints: Informer<KubeObject>;
  private pending?: NodeJS.Timeout;
  private stopped = false;

  constructor(o: ServiceProxyOptions) {
    this.o = o;
    const onError = (err: unknown, ctx: string) => o.log(`service proxy watch (${ctx}): ${(err as Error).message}`);
    this.services = new Informer(o.client, SERVICES, { onError });
    this.endpoints = new Informer(o.client, ENDPOINTS, { onError });
    const changed = { onAdd: () => this.schedule(), onUpdate: () => this.schedule(), onDelete: () => this.schedule() };
    this.services.addEventHandler(changed);
    this.endpoints.addEventHandler(changed);
  }

  async start(): Promise<void> {
    this.services.start();
    this.endpoints.start();
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]);
    await this.reconcile();
  }

  stop(): void {
    this.stopped = true;
    if (this.pending) clearTimeout(this.pending);
    this.services.stop();
    this.endpoints.stop();
    for (const key of [...this.listeners.keys()]) this.close(key);
  }

  /** The current rules, for tests and `skiff explain`-style inspection. */
  rules(): ProxyRule[] {
    return [...this.listeners.values()].map((l) => l.rule);
  }

  private schedule(): void {
    if (this.pending || this.stopped) return;
    // Changes often come in bursts (a rollout): reconcile once per burst.
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.reconcile();
    }, 20);
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const rules = computeProxyTable(this.services.store.list(), this.endpoints.store.list(), this.o.nodeIP);
    const wanted = new Map(rules.map((r) => [r.key, r]));
    for (const key of [...this.listeners.keys()]) if (!wanted.has(key)) this.close(key);
    for (const rule of rules) {
      const existing = this.listeners.get(rule.key);
      if (existing) existing.rule = rule;
      else await this.open(rule);
    }
  }

  private async open(rule: ProxyRule): Promise<void> {
    const l: Listener = { rule, server: createServer(), next: 0, sockets: new Set() };
    l.server.on('connection', (client) => this.forward(l, client));
    try {
      await new Promise<void>((resolve, reject) => {
        l.server.once('error', reject);
        l.server.listen(rule.listenPort, rule.listenIP, () => resolve());
      });
      this.listeners.set(rule.key, l);
    } catch (err) {
      this.o.log(`cannot serve ${rule.service} on ${rule.listenIP}:${rule.listenPort}: ${(err as Error).message}`);
    }
  }

  private close(key: string): void {
    const l = this.listeners.get(key);
    if (!l) return;
    this.listeners.delete(key);
    l.server.close();
    for (const s of l.sockets) s.destroy();
  }

  private forward(l: Listener, client: Socket): void {
    l.sockets.add(client);
    client.on('close', () => l.sockets.delete(client));
    client.on('error', () => undefined);
    client.pause();
    const backends = l.rule.backends;
    if (backends.length === 0) {
      client.resetAndDestroy();
      return;
    }
    const start = l.next++ % backends.length;
    const attempt = (i: number) => {
      if (i >= backends.length) return client.resetAndDestroy();
      const b: Backend = backends[(start + i) % backends.length];
      const upstream = connect({ host: b.ip, port: b.port, timeout: CONNECT_TIMEOUT_MS });
      const fail = () => {
        upstream.destroy();
        attempt(i + 1);
      };
      upstream.once('error', fail);
      upstream.once('timeout', fail);
      upstream.once('connect', () => {
        // Connected: from here on an error ends this connection, it does not try another backend.
        upstream.off('error', fail);
        upstream.off('timeout', fail);
        upstream.setTimeout(0);
        l.sockets.add(upstream);
        upstream.on('close', () => l.sockets.delete(upstream));
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.end());
      });
    };
    attempt(0);
  }
}
