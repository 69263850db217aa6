// bench:apiserver --only wal | memory — skiff's SQLite store under long runs of creates, on the
// plain-HTTP loopback port of `skiff server --no-scheduler --no-controllers`, with autocannon.
//
// --only wal [--creates N] [--rounds R] [--rate C]: N creates (default 100,000: ~30 s here) as
// fast as 32 connections go (or at C per second), against a server with the WAL bound (the default, 64 MiB) and one with it off
// (SKIFF_SQLITE_WAL_MAX_BYTES=off: the baseline, the store before the bound), each on a fresh
// data dir, in R rounds whose order flips each round. Prints creates/s and the ratio of the mean
// rates, the WAL file's peak (sampled every 100 ms), the process's peak RSS and the create p99.
//
// --only memory [--creates N] [--chunk K]: one server (defaults), N creates (default 300,000) of
// named pods in chunks of K, then the same N deletes; after each chunk the server's RSS and its
// V8 heap after a full garbage collection (./mem-probe.ts), so that a leak (live heap growing with
// the writes) shows apart from a heap collected lazily or memory the allocator keeps.
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WAL_MAX_BYTES_ENV } from '../src/storage/index.ts';
import { SKIFF_MAIN, startChildServer } from '../src/testing/child-server.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const CONNECTIONS = 32;
const arg = (name: string, dflt: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const MB = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

interface Skiff { url: string; proc: ChildProcess; dir: string; memFile: string }

async function startSkiff(env: Record<string, string>): Promise<Skiff> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const memFile = join(dir, 'mem.jsonl');
  const { proc, ready } = await startChildServer(['--expose-gc', '--import', join(here, 'mem-probe.ts'), SKIFF_MAIN, 'server', '--data-dir', dir, '--port', '0', '--insecure-port', '0', '--no-scheduler', '--no-controllers'], {
    stderr: 'inherit',
    env: { ...process.env, ...env, SKIFF_BENCH_MEM_FILE: memFile },
  });
  return { url: ready, proc, dir, memFile };
}

function stopSkiff(s: Skiff): void {
  s.proc.kill('SIGKILL');
  rmSync(s.dir, { recursive: true, force: true });
}

const walBytes = (s: Skiff) => statSync(join(s.dir, 'skiff.db-wal'), { throwIfNoEntry: false })?.size ?? 0;
const dbBytes = (s: Skiff) => statSync(join(s.dir, 'skiff.db'), { throwIfNoEntry: false })?.size ?? 0;
/** Resident set of the server process, from /proc (what `ps` reports). */
const rssBytes = (s: Skiff) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))![1]) * 1024;

interface Mem { rss: number; rssBefore: number; heapUsed: number; heapUsedBefore: number; heapTotal: number; external: number; arrayBuffers: number; collected: boolean; physical: number; malloced: number; peakMalloced: number; spaces: Record<string, number> }

/** The server's memory after a full collection: signals the probe and waits for its line (at most 10 s). */
async function probe(s: Skiff): Promise<Mem> {
  const lines = () => (existsSync(s.memFile) ? readFileSync(s.memFile, 'utf8').trim().split('\n').filter(Boolean) : []);
  const n = lines().length;
  s.proc.kill('SIGUSR2');
  for (const t0 = Date.now(); Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 20))) {
    const l = lines();
    if (l.length > n) return JSON.parse(l[l.length - 1]) as Mem;
  }
  throw new Error('the memory probe did not answer within 10 s');
}

interface Run { rate: number; secs: number; peakWal: number; peakRss: number; p99: number; max: number }

/**
 * The checkpoints the server ran on its event loop (the writer's bound and the maintenance pass's
 * TRUNCATE; not the worker's), from its storage histogram: how many, their mean, and the upper
 * edge of the bucket holding the slowest.
 */
async function eventLoopCheckpoints(s: Skiff): Promise<string> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.includes('operation="checkpoint"'));
  const value = (prefix: string) => Number(lines.find((l) => l.startsWith(prefix))?.split(' ').pop() ?? 0);
  const count = value('apiserver_storage_duration_seconds_count');
  if (count === 0) return 'none';
  const sum = value('apiserver_storage_duration_seconds_sum');
  const slowest = lines
    .filter((l) => l.startsWith('apiserver_storage_duration_seconds_bucket'))
    .map((l) => ({ le: /le="([^"]+)"/.exec(l)![1], n: Number(l.split(' ').pop()) }))
    .find((b) => b.n === count)!.le;
  return `${count}, mean ${((sum / count) * 1000).toFixed(1)} ms, slowest <= ${slowest === '+Inf' ? 'inf' : `${Number(slowest) * 1000} ms`}`;
}

/** `amount` requests built by `build(i)`, sampling the WAL and RSS every 100 ms meanwhile. */
async function drive(s: Skiff, amount: number, build: (i: number) => { method: 'POST' | 'DELETE'; path: string; body?: string }, overallRate?: number): Promise<Run> {
  let peakWal = 0;
  let peakRss = 0;
  const sample = () => {
    peakWal = Math.max(peakWal, walBytes(s));
    peakRss = Math.max(peakRss, rssBytes(s));
  };
  const timer = setInterval(sample, 100);
  let i = 0;
  const t0 = performance.now();
  try {
    const r = await autocannon({
      url: s.url,
      connections: CONNECTIONS,
      amount,
      ...(overallRate ? { overallRate } : {}),
      requests: [{ setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json' }, ...build(i++) }) }],
    });
    const bad = r.non2xx + r.errors + r.timeouts;
    if (bad > 0) throw new Error(`${bad} failed requests (non2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})`);
    const secs = (performance.now() - t0) / 1000;
    sample();
    return { rate: r.requests.total / secs, secs, peakWal, peakRss, p99: r.latency.p99, max: r.latency.max };
  } finally {
    clearInterval(timer);
  }
}

const podBody = (name: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'web', image: 'skiff/busybox:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});
const create = (prefix: string) => (i: number) => ({ method: 'POST' as const, path: '/api/v1/namespaces/default/pods', body: podBody(`${prefix}${i}`) });

export async function benchWal(): Promise<void> {
  const creates = arg('--creates', 100_000);
  const rounds = arg('--rounds', 1);
  const rate = arg('--rate', 0) || undefined;
  const configs = [
    { name: 'WAL bound off (baseline)', env: { [WAL_MAX_BYTES_ENV]: 'off' } },
    { name: 'WAL bound 64 MiB (default)', env: {} as Record<string, string> },
  ];
  const runs: Run[][] = configs.map(() => []);
  console.log(`\nbench:apiserver --only wal  (${creates} creates per run, ${rate ? `at ${rate}/s` : 'as fast as they go'}, ${CONNECTIONS} connections, ${rounds} round(s), order flipped each round; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  for (let round = 0; round < rounds; round++) {
    for (const c of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const s = await startSkiff(configs[c].env);
      try {
        const r = await drive(s, creates, create('p-'), rate);
        runs[c].push(r);
        console.log(`  round ${round + 1} ${configs[c].name.padEnd(28)} ${r.rate.toFixed(0).padStart(6)} creates/s in ${r.secs.toFixed(1)} s  WAL peak ${MB(r.peakWal).padStart(7)}  RSS peak ${MB(r.peakRss)}  p99 ${r.p99} ms  max ${r.max} ms  (database ${MB(dbBytes(s))}; checkpoints on the event loop: ${await eventLoopCheckpoints(s)})`);
      } finally {
        stopSkiff(s);
      }
    }
  }
  const mean = (rs: Run[], f: (r: Run) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
  const [off, on] = runs;
  console.log(`creates/s  bound on ${mean(on, (r) => r.rate).toFixed(0)}, off ${mean(off, (r) => r.rate).toFixed(0)}: ratio ${(mean(on, (r) => r.rate) / mean(off, (r) => r.rate)).toFixed(2)}x`);
  console.log(`WAL peak   bound on ${MB(Math.max(...on.map((r) => r.peakWal)))}, off ${MB(Math.max(...off.map((r) => r.peakWal)))}`);
  console.log(`RSS peak   bound on ${MB(Math.max(...on.map((r) => r.peakRss)))}, off ${MB(Math.max(...off.map((r) => r.peakRss)))}`);
}

export async function benchMemory(): Promise<void> {
  const total = arg('--creates', 300_000);
  const chunk = arg('--chunk', 50_000);
  console.log(`\nbench:apiserver --only memory  (${total} creates then ${total} deletes, in chunks of ${chunk}, ${CONNECTIONS} connections; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  console.log('after                     rate/s   RSS before GC   RSS after GC   heap used before / after GC   heap total   external   WAL peak   database');
  const s = await startSkiff({});
  try {
    const line = (what: string, m: Mem, r?: Run) =>
      console.log(`${what.padEnd(24)} ${(r ? r.rate.toFixed(0) : '').padStart(7)}   ${MB(m.rssBefore).padStart(13)}   ${MB(m.rss).padStart(12)}   ${MB(m.heapUsedBefore).padStart(14)} / ${MB(m.heapUsed).padEnd(12)} ${MB(m.heapTotal).padStart(10)}   ${MB(m.external).padStart(8)}   ${(r ? MB(r.peakWal) : '').padStart(8)}   ${MB(dbBytes(s)).padStart(8)}\n` +
        `${''.padEnd(24)} V8: physical ${MB(m.physical)}, malloced ${MB(m.malloced)} (peak ${MB(m.peakMalloced)}), spaces ${Object.entries(m.spaces).filter(([, v]) => v > 1e6).map(([k, v]) => `${k.replace('_space', '')} ${MB(v)}`).join(', ')}`);
    const m0 = await probe(s);
    if (!m0.collected) throw new Error('the server runs without --expose-gc: heap figures would not be after a collection');
    line('start', m0);
    for (let done = 0; done < total; done += chunk) {
      const n = Math.min(chunk, total - done);
      const base = done;
      const r = await drive(s, n, (i) => create('m-')(base + i));
      line(`${done + n} creates`, await probe(s), r);
    }
    for (let done = 0; done < total; done += chunk) {
      const n = Math.min(chunk, total - done);
      const base = done;
      const r = await drive(s, n, (i) => ({ method: 'DELETE', path: `/api/v1/namespaces/default/pods/m-${base + i}` }));
      line(`${done + n} deletes`, await probe(s), r);
    }
  } finally {
    stopSkiff(s);
  }
}
