// Options of the etcd backend, and the `--datastore-endpoint etcd://host:port[,host:port...]` form.
import { readFileSync } from 'node:fs';
import type { StorageOp } from '../sqlite/options.ts';

export interface EtcdTls {
  /** PEM of the CA that signed the members' certificates (`--datastore-cafile`). */
  ca?: Buffer;
  /** Client certificate and key for etcd's client-cert auth (`--datastore-certfile`, `--datastore-keyfile`). */
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdStorageOptions {
  /** `host:port` of each member; the client spreads calls over them and fails over. */
  hosts: string[];
  /** Speak TLS to the members (when any of the datastore TLS files is given). */
  tls?: EtcdTls;
  /** Every key lives under it (default `/skiff/`); several clusters can share one etcd. */
  prefix?: string;
  /** Deadline of every call (default 5 s): without a quorum a write fails with 503 instead of hanging. */
  requestTimeoutMs?: number;
  /** Compaction period (default 5 min, as kube-apiserver): each run compacts to the revision the previous run saw. 0 turns it off. */
  compactIntervalMs?: number;
  /**
   * Keys read per range call of a list (default 2,500): bounded memory per call, one revision
   * across calls. A whole list asks for the next range while it processes the one before.
   */
  listChunk?: number;
  /** Recent events kept for watchers that resume (default 4,096 events, at most 32 MiB). */
  windowSize?: number;
  windowMaxBytes?: number;
  /** Watch supervision: how often the stream is checked, and how long it may stay silent (defaults 1 s, 5 s). */
  watchCheckIntervalMs?: number;
  watchStallMs?: number;
  /** A watcher callback threw (it was closed). */
  onWatchError?: (err: unknown, resource: string) => void;
  /** Background trouble worth a log line (watch reconnects, failed compactions). */
  onLog?: (msg: string, err?: unknown) => void;
  /** Duration of each operation, for metrics. */
  onTiming?: (op: StorageOp, ms: number) => void;
}

export const ETCD_DEFAULTS: Required<Omit<EtcdStorageOptions, 'hosts' | 'tls' | 'onWatchError' | 'onLog' | 'onTiming'>> = {
  prefix: '/skiff/',
  requestTimeoutMs: 5000,
  compactIntervalMs: 5 * 60_000,
  listChunk: 2500,
  windowSize: 4096,
  windowMaxBytes: 32 * 1024 * 1024,
  watchCheckIntervalMs: 1000,
  watchStallMs: 5000,
};

export type ResolvedEtcdOptions = EtcdStorageOptions & typeof ETCD_DEFAULTS;

export interface DatastoreFlags {
  endpoint?: string;
  cafile?: string;
  certfile?: string;
  keyfile?: string;
}

/**
 * Parses `etcd://host:port[,host:port...]` (k3s's `--datastore-endpoint` form; `https://` is
 * also accepted as a request for TLS). Returns undefined for no endpoint (SQLite); throws on
 * anything else, naming what is wrong. The TLS files are read with `readFile`.
 */
export function parseDatastore(flags: DatastoreFlags, readFile: (path: string) => Buffer = readFileSync): Pick<EtcdStorageOptions, 'hosts' | 'tls'> | undefined {
  const endpoint = flags.endpoint?.trim();
  if (!endpoint) {
    if (flags.cafile || flags.certfile || flags.keyfile) throw new Error('--datastore-cafile/--datastore-certfile/--datastore-keyfile need --datastore-endpoint');
    return undefined;
  }
  const m = /^(etcd|https?):\/\/(.+)$/.exec(endpoint);
  if (!m) throw new Error(`--datastore-endpoint: expected etcd://host:port[,host:port...], got ${JSON.stringify(endpoint)}`);
  const hosts = m[2].split(',').map((h) => h.trim().replace(/^(etcd|https?):\/\//, '').replace(/\/$/, ''));
  for (const h of hosts) {
    if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(h)) throw new Error(`--datastore-endpoint: ${JSON.stringify(h)} is not host:port`);
    const port = Number(h.slice(h.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) throw new Error(`--datastore-endpoint: port out of range in ${JSON.stringify(h)}`);
  }
  if (!!flags.certfile !== !!flags.keyfile) throw new Error('--datastore-certfile and --datastore-keyfile go together');
  const wantsTls = m[1] === 'https' || !!flags.cafile || !!flags.certfile;
  const read = (f: string | undefined, what: string) => {
    if (!f) return undefined;
    try {
      return readFile(f);
    } catch (e) {
      throw new Error(`${what}: cannot read ${f}: ${(e as Error).message}`);
    }
  };
  const tls = wantsTls
    ? { ca: read(flags.cafile, '--datastore-cafile'), cert: read(flags.certfile, '--datastore-certfile'), key: read(flags.keyfile, '--datastore-keyfile') }
    : undefined;
  return { hosts, tls };
}
