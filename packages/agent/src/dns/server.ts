// The cluster DNS server the agent runs for its node's pods (UDP and TCP on port 53 of the pod
// network's gateway address): answers the cluster's zone from Services and EndpointSlices it follows,
// and forwards every other name to the host's resolvers, as CoreDNS's `forward . /etc/resolv.conf`.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { ENDPOINT_SLICES, SERVICES, type KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';
import { AnswerCache } from './answer-cache.ts';
import { computeAnswer, servfail } from './answer.ts';
import { DEFAULT_ZONE, DnsIndex } from './records.ts';

const UPSTREAM_TIMEOUT_MS = 2000;
const MAX_UDP = 512;

export interface ClusterDnsOptions {
  client: RestClient;
  zone?: string;
  /** Upstream resolvers; default the nameservers of the host's /etc/resolv.conf. */
  upstreams?: string[];
  /** The agent's Service informer, shared (one watch per agent); default one of its own. */
  services?: Informer<KubeObject>;
  /** The agent's EndpointSlice informer, shared; default one of its own. */
  slices?: Informer<KubeObject>;
  log(message: string): void;
}

export class ClusterDns {
  private readonly o: ClusterDnsOptions;
  private readonly services: Informer<KubeObject>;
  private readonly slices: Informer<KubeObject>;
  private index: DnsIndex;
  /** Encoded UDP answers from the zone, by query; emptied with every rebuild of the index. */
  private readonly cache = new AnswerCache();
  private timer?: NodeJS.Timeout;
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly upstreams: string[];
  private readonly tcpSockets = new Set<Socket>();
  private started?: Promise<void>;

  constructor(o: ClusterDnsOptions) {
    this.o = o;
    this.index = new DnsIndex(o.zone ?? DEFAULT_ZONE);
    this.upstreams = o.upstreams ?? hostResolvers();
    const onError = (err: unknown, ctx: string) => o.log(`dns watch (${ctx}): ${(err as Error).message}`);
    this.services = o.services ?? new Informer(o.client, SERVICES, { onError });
    this.slices = o.slices ?? new Informer(o.client, ENDPOINT_SLICES, { onError });
    const changed = { onAdd: () => this.schedule(), onUpdate: () => this.schedule(), onDelete: () => this.schedule() };
    this.services.addEventHandler(changed);
    this.slices.addEventHandler(changed);
  }

  /** Follows the API and serves on `address`:`port` (default 53); idempotent. */
  listen(address: string, port = 53): Promise<void> {
    this.started ??= (async () => {
      this.services.start();
      this.slices.start();
      await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
      this.rebuild();
      this.udp = createSocket('udp4');
      this.udp.on('message', (msg, rinfo) => this.onUdp(msg, rinfo.address, rinfo.port));
      this.udp.on('error', (err) => this.o.log(`dns udp: ${err.message}`));
      await new Promise<void>((resolve, reject) => {
        this.udp!.once('error', reject);
        this.udp!.bind(port, address, () => resolve());
      });
      this.tcp = createServer((s) => this.onTcp(s));
      await new Promise<void>((resolve, reject) => {
        this.tcp!.once('error', reject);
        this.tcp!.listen(port, address, () => resolve());
      });
      this.o.log(`cluster DNS serving on ${address}:${port}`);
    })();
    return this.started;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.services.stop();
    this.slices.stop();
    this.udp?.close();
    this.tcp?.close();
    for (const s of this.tcpSockets) s.destroy();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.rebuild();
    }, 5);
  }

  private rebuild(): void {
    this.index = DnsIndex.build(this.services.store.list(), this.slices.store.list(), this.o.zone ?? DEFAULT_ZONE);
    this.cache.clear();
  }

  /** The wire answer to one query (forwarded upstream when outside the zone). */
  async answer(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    return this.answerLocally(msg, transport) ?? (await this.answerUpstream(msg));
  }

  /**
   * The answer from the zone, synchronously: from the cache, or computed (and cached, for UDP);
   * undefined when the query is outside the zone or not a query at all.
   */
  private answerLocally(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    if (transport === 'udp') {
      const cached = this.cache.get(msg);
      if (cached) return cached;
    }
    const query = decodeQuery(msg);
    if (!query) return undefined;
    const local = computeAnswer(query, this.index);
    if (!local) return undefined;
    let wire = dnsPacket.encode(local);
    if (transport === 'udp' && wire.length > MAX_UDP) {
      wire = dnsPacket.encode({ ...local, answers: [], additionals: [], flags: (local.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE });
    }
    if (transport === 'udp') this.cache.set(msg, wire);
    return wire;
  }

  /** A query outside the zone, forwarded to the host's resolvers; SERVFAIL when none answers. */
  private async answerUpstream(msg: Buffer): Promise<Buffer | undefined> {
    const query = decodeQuery(msg);
    if (!query) return undefined; // not DNS: no answer, as a resolver does
    return (await this.forward(msg)) ?? dnsPacket.encode(servfail(query));
  }

  private onUdp(msg: Buffer, address: string, port: number): void {
    // The zone's answers go out in the same turn (no promise per query); the rest asks upstream.
    let local: Buffer | undefined;
    try {
      local = this.answerLocally(msg, 'udp');
    } catch {
      return; // an answer that cannot be encoded: none, as for a malformed query
    }
    if (local) {
      this.udp?.send(local, port, address);
      return;
    }
    void this.answerUpstream(msg).then(
      (reply) => reply && this.udp?.send(reply, port, address),
      () => undefined,
    );
  }

  private onTcp(s: Socket): void {
    this.tcpSockets.add(s);
    s.on('close', () => this.tcpSockets.delete(s));
    s.on('error', () => undefined);
    s.setTimeout(10_000, () => s.destroy());
    let buf = Buffer.alloc(0);
    s.on('data', async (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const reply = await this.answer(msg, 'tcp').catch(() => undefined);
        if (!reply) return s.destroy();
        const head = Buffer.alloc(2);
        head.writeUInt16BE(reply.length);
        s.write(Buffer.concat([head, reply]));
      }
    });
  }

  /** Asks each upstream in turn over UDP; undefined when none answers in time. */
  private async forward(msg: Buffer): Promise<Buffer | undefined> {
    for (const server of this.upstreams) {
      const reply = await udpExchange(server, msg).catch(() => undefined);
      if (reply) return reply;
    }
    return undefined;
  }
}

/** The query in `msg`, or undefined when it is not a DNS query. */
function decodeQuery(msg: Buffer): DecodedPacket | undefined {
  try {
    const p = dnsPacket.decode(msg);
    return p.type === 'query' ? p : undefined;
  } catch {
    return undefined;
  }
}

function udpExchange(server: string, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer from ${server}`));
    }, UPSTREAM_TIMEOUT_MS);
    sock.on('message', (reply) => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(msg, 53, server);
  });
}

/** IPv4 nameservers of the host's /etc/resolv.conf (what Docker gives containers by default). */
export function hostResolvers(path = '/etc/resolv.conf'): string[] {
  try {
    return parseResolvConf(readFileSync(path, 'utf8')).nameservers.filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n));
  } catch {
    return [];
  }
}

export function parseResolvConf(text: string): { nameservers: string[]; searches: string[]; options: string[] } {
  const out = { nameservers: [] as string[], searches: [] as string[], options: [] as string[] };
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}
