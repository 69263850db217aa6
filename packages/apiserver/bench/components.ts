// bench:apiserver --only components — `skiff server` with its scheduler and controller manager on
// (in the server's child process, ADR 0022; busy: every pod created reaches both through their
// one shared watch, is tried by the scheduler, unschedulable without nodes, and reported as such) against the same server with both
// off, measured in one run (issue 11: aim >= 0.8x). Rounds alternate which goes first; medians.
// Besides the benchmark's creates/s it prints what the server served in all (apiserver_request_total
// before and after: the components' own requests included) and the server process's CPU per create,
// by thread kind (/proc/PID/task/*/stat): the figure that says what the components cost whatever
// else the machine is doing. The components run behind the API server while it is busy (ADR 0022):
// each round says how long after the run the scheduler had tried every pod, and a round fails if
// the server dropped a watcher for falling too far behind (apiserver_terminated_watchers_total).
// Usage: pnpm bench:apiserver --only components [--rounds R] [--duration S] [--warm S]  (SQLite)
//        pnpm bench:apiserver --datastore etcd --only components [--rounds R] [--duration S]  (SQLite and etcd)
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainUrl, SKIFF_MAIN, startChildServer } from '../src/testing/child-server.ts';

const CONNECTIONS = 32;
export const arg = (name: string, dflt: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);

const podBody = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'bench-', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'web', image: 'skiff/busybox:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

export interface Server { url: string; proc: ChildProcess; dir: string; /** The scheduler's explain/metrics URL, with components. */ explain?: string }

/** `skiff server` on SQLite (no endpoint) or etcd; resolves once it serves and, with components, once both run. */
export async function startServer(components: boolean, etcdEndpoint?: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const args = [SKIFF_MAIN, 'server', '--data-dir', dir, '--port', '0', '--insecure-port', '0', ...(etcdEndpoint ? ['--datastore-endpoint', etcdEndpoint] : []), ...(components ? [] : ['--no-scheduler', '--no-controllers'])];
  const { proc, ready } = await startChildServer(args, {
    stderr: 'inherit',
    ready: (out) => {
      const url = plainUrl(out);
      const explain = /explain: (http:\/\/[\d.:]+)/.exec(out)?.[1];
      return url && (!components || (explain && out.includes('controller manager running'))) ? { url, explain } : undefined;
    },
  });
  return { ...ready, proc, dir };
}

export function stopServer(s: Server): void {
  s.proc.kill('SIGKILL');
  rmSync(s.dir, { recursive: true, force: true });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

/** apiserver_request_total of a server, by "VERB resource[/subresource]", and its watchers dropped as too slow under "terminated watchers". */
async function requestCounts(s: Server): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const text = await get(`${s.url}/metrics`);
  for (const m of text.matchAll(/^apiserver_terminated_watchers_total\{[^}]*\} (\d+)/gm)) out.set('terminated watchers', (out.get('terminated watchers') ?? 0) + Number(m[1]));
  for (const m of text.matchAll(/^apiserver_request_total\{([^}]*)\} (\d+(?:\.\d+)?)/gm)) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const k = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    out.set(k, (out.get(k) ?? 0) + Number(m[2]));
  }
  return out;
}

/**
 * CPU seconds of the server so far, per thread kind: the main (API server) thread, worker threads,
 * V8's GC helpers, the rest; and its child processes (the components' process, ADR 0022) whole.
 */
export function threadCpu(pid: number, out = new Map<string, number>(), child = false): Map<string, number> {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (!child) {
      let children = '';
      try {
        children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
      } catch {
        // the thread ended meanwhile
      }
      for (const c of children.split(' ').filter(Boolean)) threadCpu(Number(c), out, true);
    }
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const kind = child ? 'components process' : tid === String(pid) ? 'api server thread' : name === 'WorkerThread' ? 'worker threads' : name.startsWith('V8Worker') ? 'GC helpers' : 'other';
    out.set(kind, (out.get(kind) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
  }
  return out;
}

/**
 * How long after the benchmark's last create the scheduler has tried every pod (its
 * scheduler_schedule_attempts_total reaches the number of pods): the components run behind the
 * API server while it is busy (ADR 0022), and this says by how much.
 */
export async function catchUpMs(s: Server): Promise<number> {
  const t0 = performance.now();
  const list = JSON.parse(await get(`${s.url}/api/v1/namespaces/default/pods?limit=1`)) as { items: unknown[]; metadata: { remainingItemCount?: number } };
  const pods = list.items.length + (list.metadata.remainingItemCount ?? 0);
  for (;;) {
    let attempts = 0;
    for (const m of (await get(`${s.explain}/metrics`)).matchAll(/^scheduler_schedule_attempts_total\{[^}]*\} (\d+)/gm)) attempts += Number(m[1]);
    if (attempts >= pods) return performance.now() - t0;
    if (performance.now() - t0 > 60_000) throw new Error(`the scheduler tried ${attempts} of ${pods} pods in the 60 s after the run`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Round {
  creates: number;
  /** With components: ms after the run until the scheduler had tried every pod. */
  catchUp?: number;
  served: number;
  mix: string;
  /** µs of the server process's CPU per create, in all and by thread kind. */
  cpuPerCreate: number;
  cpuByKind: Map<string, number>;
  /** ms a second the API server thread was ready to run but waited for a core (schedstat). */
  waited: number;
}

/** ns the API server thread has waited, runnable, for a core so far (/proc/PID/task/PID/schedstat, field 2). */
const waitedNs = (pid: number) => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]);

/** CPU seconds of a process outside the server (all its threads). */
const processCpu = (pid: number) => [...threadCpu(pid, new Map(), true).values()].reduce((a, b) => a + b, 0);

/** `standIn`: a process beside the server (components --parts) whose CPU counts as "stand-in". */
export async function measure(s: Server, duration: number, standIn?: number): Promise<Round> {
  const before = await requestCounts(s);
  const cpu0 = threadCpu(s.proc.pid!);
  const standIn0 = standIn === undefined ? 0 : processCpu(standIn);
  const waited0 = waitedNs(s.proc.pid!);
  const t0 = performance.now();
  const r = await autocannon({ url: `${s.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, connections: CONNECTIONS, duration });
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = threadCpu(s.proc.pid!);
  if (standIn !== undefined) {
    cpu0.set('stand-in', standIn0);
    cpu1.set('stand-in', processCpu(standIn));
  }
  const waited = (waitedNs(s.proc.pid!) - waited0) / 1e6 / secs;
  const after = await requestCounts(s);
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad > 0) throw new Error(`${bad} failed creates (non2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})`);
  const dropped = (after.get('terminated watchers') ?? 0) - (before.get('terminated watchers') ?? 0);
  if (dropped > 0) throw new Error(`the server dropped ${dropped} watcher(s) that fell behind during the run: the components did not keep up`);
  after.delete('terminated watchers');
  const diff = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const cpuByKind = new Map([...cpu1].map(([k, v]) => [k, ((v - (cpu0.get(k) ?? 0)) / r.requests.total) * 1e6]));
  return {
    creates: r.requests.average,
    served: diff.reduce((a, [, v]) => a + v, 0) / secs,
    mix: diff.slice(0, 5).map(([k, v]) => `${k} ${(v / secs).toFixed(0)}/s`).join(', '),
    cpuPerCreate: [...cpuByKind.values()].reduce((a, b) => a + b, 0),
    cpuByKind,
    waited,
  };
}

/**
 * The namespace's `default` ServiceAccount, as every cluster has it: the controller manager makes
 * it on the server with components, and without it the server alone would look it up in storage
 * at every create (ServiceAccount admission's live lookup on a miss; a round trip on etcd).
 */
export function ensureDefaultServiceAccount(s: { url: string }): Promise<void> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}/api/v1/namespaces/default/serviceaccounts`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 || res.statusCode === 409 ? resolve() : reject(new Error(`creating the default ServiceAccount: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Seconds of creates that warm a server up before it is measured (`--warm S`, default 10): a fresh
 * Node server compiles its hot code for the first 10-20 s of load, and that compiling (V8's worker
 * threads, 50-75 µs of CPU per create in the first 10 s on etcd, docs/performance.md session 13)
 * is not what a running server costs.
 */
export const warmSeconds = () => arg('--warm', 10);

/** `warmSeconds()` of creates to warm the server up, then `measure`. */
export async function warmAndMeasure(s: Server, duration: number, standIn?: number): Promise<Round> {
  await ensureDefaultServiceAccount(s);
  await autocannon({ url: `${s.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, duration: warmSeconds(), connections: CONNECTIONS });
  return measure(s, duration, standIn);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (n: number) => n.toFixed(0).padStart(7);
export const cpuLine = (r: Round) => `${r.cpuPerCreate.toFixed(0)} µs (${[...r.cpuByKind].filter(([, v]) => v >= 5).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; the API server thread waited for a core ${r.waited.toFixed(0)} ms/s)`;

/**
 * R rounds of (alone, on), the order alternating, medians. Each measurement starts a fresh server
 * on an empty store (`reset` empties a shared etcd first), warms it (`warmSeconds()`) and stops it after:
 * one server at a time, so an idle one's components never share the CPU or the store.
 */
export async function benchComponents(label: string, opts: { etcdEndpoint?: string; reset?: () => Promise<void> } = {}): Promise<void> {
  const duration = arg('--duration', 10);
  const rounds = arg('--rounds', 3);
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const once = async (components: boolean): Promise<Round> => {
    await opts.reset?.();
    const s = await startServer(components, opts.etcdEndpoint);
    try {
      const r = await warmAndMeasure(s, duration);
      if (components) r.catchUp = await catchUpMs(s);
      return r;
    } finally {
      stopServer(s);
    }
  };
  const a: Round[] = [];
  const o: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(await once(false));
      o.push(await once(true));
    } else {
      o.push(await once(true));
      a.push(await once(false));
    }
    console.log(`  ${label} round ${i + 1}: alone ${a[i].creates.toFixed(0)} creates/s, on ${o[i].creates.toFixed(0)} creates/s (${(o[i].creates / a[i].creates).toFixed(2)}x; scheduler caught up ${o[i].catchUp!.toFixed(0)} ms after); server CPU per create alone ${cpuLine(a[i])}; on ${cpuLine(o[i])}; on served ${o[i].mix}`);
  }
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const ca = median(a.map((r) => r.creates));
  const co = median(o.map((r) => r.creates));
  const ratios = a.map((r, i) => (o[i].creates / r.creates).toFixed(2)).join(', ');
  console.log(`components on (${label.padEnd(6)})  alone ${fmt(ca)} creates/s   scheduler+controllers on ${fmt(co)} creates/s   ${(co / ca).toFixed(2)}x (aim >= 0.8x; rounds ${ratios}; medians of ${rounds} x ${duration} s; load average ${loadBefore} -> ${loadAfter})`);
  console.log(`  requests served/s       alone ${fmt(median(a.map((r) => r.served)))}   scheduler+controllers on ${fmt(median(o.map((r) => r.served)))}`);
  console.log(`  server CPU per create   alone ${fmt(median(a.map((r) => r.cpuPerCreate)))} µs   scheduler+controllers on ${fmt(median(o.map((r) => r.cpuPerCreate)))} µs`);
}
