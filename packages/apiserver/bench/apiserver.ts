// bench:apiserver — creates/s and GETs/s of skiff's API server against a bare fastify +
// better-sqlite3 server doing the same inserts and reads, measured side by side in one run with
// autocannon; then create latency at a fixed 1,000 creates/s, LIST of 10,000 pods, and watch
// delivery latency to 500 watchers. Each server runs in its own process; autocannon runs here.
// skiff's creates and GETs are then measured on its plain-HTTP loopback port (--insecure-port)
// against HTTPS with the admin client certificate, in alternating rounds (issue 12: aim >= 0.85x;
// ./transport-cost.ts).
// Then authorization's cost: HTTPS as a user RBAC authorizes against the admin (./rbac-cost.ts).
// Last, the audit log's cost: HTTPS creates and GETs with and without --audit-log-path (./audit-cost.ts).
// Usage: pnpm bench:apiserver [--duration SECONDS] [--datastore etcd]  (etcd: ./apiserver-etcd.ts)
//        pnpm bench:apiserver --only tls  (HTTPS against plain HTTP alone: ./transport-cost.ts)
//        pnpm bench:apiserver --only audit  (the audit log on vs off alone)
//        pnpm bench:apiserver --only rbac  (an RBAC-authorized user vs system:masters alone)
//        pnpm bench:apiserver --only components [--rounds R]  (components on vs off, SQLite: ./components.ts)
//        pnpm bench:apiserver --only components --parts [--rounds R]  (what they cost the API server thread, layer by layer: ./components-parts.ts)
//        pnpm bench:apiserver --datastore etcd --only list  (LIST of 10,000 pods, etcd vs SQLite, alone)
//        pnpm bench:apiserver --datastore etcd --only creates  (creates and GETs, etcd vs a bare etcd client, alone)
//        pnpm bench:apiserver --datastore etcd --churn 1000000  (the store bounded over N writes: ./etcd-churn.ts)
//        pnpm bench:apiserver --only wal [--creates N] [--rounds R] [--rate C]  (the SQLite WAL bound on vs off: ./sqlite-long-run.ts)
//        pnpm bench:apiserver --only memory [--creates N]  (RSS and live heap over N creates, then deletes: ./sqlite-long-run.ts)
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plainUrl, secureUrl, startChildServer } from '../src/testing/index.ts';
import { watchDeliveryLatency } from './watch-latency.ts';
import { auditCost } from './audit-cost.ts';
import { rbacCost } from './rbac-cost.ts';
import { transportCost, type TransportCostDeps } from './transport-cost.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const duration = Number(process.argv[process.argv.indexOf('--duration') + 1]) || 10;
const CONNECTIONS = 32;

const podBody = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'bench-', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'web', image: 'skiff/busybox:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

interface Server { url: string; proc: ChildProcess; dir: string; secureUrl?: string }

async function startProcess(args: string[]): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  // skiff's API server alone: the scheduler and controller manager would compete for the CPU.
  args = args.map((a) => (a === 'AUDIT_IN_DATA_DIR' ? join(dir, 'audit.log') : a));
  const isSkiff = args.includes('server');
  const { proc, ready } = await startChildServer([...args, ...(isSkiff ? ['--data-dir', dir, '--port', '0', '--insecure-port', '0', '--no-scheduler', '--no-controllers'] : [dir])], {
    stderr: 'inherit',
    // skiff prints its HTTPS URL too; the bare servers only a plain one.
    ready: (out) => {
      const url = plainUrl(out);
      const secure = secureUrl(out);
      return url && (secure || !isSkiff) ? { url, secureUrl: secure } : undefined;
    },
  });
  return { ...ready, proc, dir };
}

function stop(s: Server): void {
  s.proc.kill('SIGKILL');
  rmSync(s.dir, { recursive: true, force: true });
}

function send(url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  const result = await autocannon({ connections: CONNECTIONS, duration, ...opts });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${opts.url}: ${bad} failed requests (non2xx ${result.non2xx}, errors ${result.errors})`);
  return result;
}

/** Upper bound of the bucket holding quantile q of a verb's request durations, from /metrics. */
async function histogramQuantile(url: string, verb: string, q: number): Promise<string> {
  const text = (await send(`${url}/metrics`, 'GET')).text;
  const buckets = text
    .split('\n')
    .filter((l) => l.startsWith('apiserver_request_duration_seconds_bucket') && l.includes(`verb="${verb}"`) && l.includes('resource="pods"'))
    .map((l) => ({ le: /le="([^"]+)"/.exec(l)![1], count: Number(l.split(' ').pop()) }));
  const total = buckets.find((b) => b.le === '+Inf')?.count ?? 0;
  const hit = buckets.find((b) => b.count >= q * total);
  return hit ? (hit.le === '+Inf' ? 'inf' : `${Number(hit.le) * 1000} ms`) : 'n/a';
}

const fmt = (n: number) => n.toFixed(0).padStart(7);
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function main(): Promise<void> {
  const bare = await startProcess([join(here, 'bare-server.ts')]);
  const skiff = await startProcess([join(root, 'packages/cli/src/main.ts'), 'server']);
  try {
    const create = (s: Server) => load({ url: `${s.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody });
    // Warm up both (JIT, SQLite page cache).
    await autocannon({ url: `${bare.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, duration: 2, connections: CONNECTIONS });
    await autocannon({ url: `${skiff.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, duration: 2, connections: CONNECTIONS });

    const bareCreate = await create(bare);
    const skiffCreate = await create(skiff);

    const one = await send(`${skiff.url}/api/v1/namespaces/default/pods`, 'POST', podBody.replace('"generateName":"bench-"', '"name":"bench-get"'));
    await send(`${bare.url}/api/v1/namespaces/default/pods`, 'POST', podBody.replace('"generateName":"bench-"', '"name":"bench-get"'));
    if (one.status !== 201) throw new Error(`create bench-get: ${one.status} ${one.text}`);
    const bareGet = await load({ url: `${bare.url}/api/v1/namespaces/default/pods/bench-get` });
    const skiffGet = await load({ url: `${skiff.url}/api/v1/namespaces/default/pods/bench-get` });

    console.log(`\nbench:apiserver  (${duration} s per run, ${CONNECTIONS} connections, autocannon)`);
    console.log('                    bare fastify+sqlite      skiff    ratio   p50 skiff   p99 skiff');
    console.log(`creates/s           ${fmt(bareCreate.requests.average)}            ${fmt(skiffCreate.requests.average)}    ${(skiffCreate.requests.average / bareCreate.requests.average * 100).toFixed(0)}%    ${ms(skiffCreate.latency.p50)}    ${ms(skiffCreate.latency.p99)}`);
    console.log(`GETs/s              ${fmt(bareGet.requests.average)}            ${fmt(skiffGet.requests.average)}    ${(skiffGet.requests.average / bareGet.requests.average * 100).toFixed(0)}%    ${ms(skiffGet.latency.p50)}    ${ms(skiffGet.latency.p99)}`);

    // The same server over HTTPS with the admin client certificate against its plain-HTTP port.
    await transportCost(transportDeps, skiff);

    // Latency of a create at a fixed, sustainable rate (not saturated).
    const fixed = await load({ url: `${skiff.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, overallRate: 1000, connections: 20 });
    console.log(`create at 1,000/s   achieved ${fixed.requests.average.toFixed(0)}/s, p50 ${ms(fixed.latency.p50)}, p99 ${ms(fixed.latency.p99)}, max ${ms(fixed.latency.max)} (as autocannon sees it, sharing the 2 cores)`);
    // The server's own view: its request-duration histogram (handler start to reply sent) over
    // the creates of this run and the earlier ones; the p99 bucket bound.
    const serverP99 = await histogramQuantile(skiff.url, 'create', 0.99);
    console.log(`create, server-side  p99 <= ${serverP99} (apiserver_request_duration_seconds, all creates of the run)`);

    // LIST of 10,000 pods in a namespace of their own.
    await send(`${skiff.url}/api/v1/namespaces`, 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'list' } }));
    await autocannon({ url: `${skiff.url}/api/v1/namespaces/list/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, amount: 10_000, connections: CONNECTIONS });
    const listTimes: number[] = [];
    let listBytes = 0;
    let listCount = 0;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const r = await send(`${skiff.url}/api/v1/namespaces/list/pods`, 'GET');
      listTimes.push(performance.now() - t0);
      listBytes = r.text.length;
      listCount = (JSON.parse(r.text) as { items: unknown[] }).items.length;
    }
    listTimes.sort((a, b) => a - b);
    console.log(`LIST ${listCount} pods     median ${ms(listTimes[3])}, min ${ms(listTimes[0])} (${(listBytes / 1e6).toFixed(1)} MB)`);

    const watch = await watchDeliveryLatency({ server: skiff.url, watchers: 500, events: 200, ratePerSecond: 50, podBody });
    console.log(`watch, 500 watchers  ${watch.deliveries} deliveries, p50 ${ms(watch.p50)}, p99 ${ms(watch.p99)}, max ${ms(watch.max)}`);
  } finally {
    stop(bare);
    stop(skiff);
  }
  await runRbacCost();
  await runAuditCost();
}

const transportDeps: TransportCostDeps = {
  load,
  warm: (o) => autocannon({ connections: CONNECTIONS, ...o }),
  send,
  podBody,
  roundSeconds: Math.max(2, Math.round(duration / 2)),
};

/** HTTPS against plain HTTP on one server (./transport-cost.ts); alone: pnpm bench:apiserver --only tls. */
async function runTransportCost(): Promise<void> {
  const skiff = await startProcess([join(root, 'packages/cli/src/main.ts'), 'server']);
  try {
    await transportCost(transportDeps, skiff);
  } finally {
    stop(skiff);
  }
}

/** An RBAC-authorized user against system:masters (./rbac-cost.ts); alone: pnpm bench:apiserver --only rbac. */
function runRbacCost(): Promise<void> {
  return rbacCost({ start: startProcess, stop, load, send, cli: join(root, 'packages/cli/src/main.ts'), podBody, roundSeconds: Math.max(2, Math.round(duration / 2)) });
}

/** The audit log on vs off (./audit-cost.ts); alone: pnpm bench:apiserver --only audit. */
function runAuditCost(): Promise<void> {
  const warm = (o: autocannon.Options) => autocannon({ connections: CONNECTIONS, ...o });
  return auditCost({ start: startProcess, stop, load, warm, send, cli: join(root, 'packages/cli/src/main.ts'), podBody, roundSeconds: Math.max(2, Math.round(duration / 2)) });
}

const datastore = process.argv.includes('--datastore') ? process.argv[process.argv.indexOf('--datastore') + 1] : 'sqlite';
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && !['components', 'audit', 'rbac', 'tls', 'wal', 'memory', 'list', 'creates'].includes(only)) throw new Error(`--only: expected "components", "audit", "rbac", "tls", "wal", "memory" or (with --datastore etcd) "list" or "creates", got ${JSON.stringify(only)}`);
if ((only === 'list' || only === 'creates') && datastore !== 'etcd') throw new Error(`--only ${only} is a part of the etcd benchmark: it needs --datastore etcd`);
const run =
  only === 'tls' ? runTransportCost
  : only === 'wal' ? () => import('./sqlite-long-run.ts').then((m) => m.benchWal())
  : only === 'memory' ? () => import('./sqlite-long-run.ts').then((m) => m.benchMemory())
  : only === 'audit' ? runAuditCost
  : only === 'rbac' ? runRbacCost
  : datastore !== 'etcd' ? (only === 'components' ? (process.argv.includes('--parts') ? () => import('./components-parts.ts').then((m) => m.benchComponentParts()) : () => import('./components.ts').then((m) => m.benchComponents('sqlite'))) : main)
  : process.argv.includes('--churn') ? () => import('./etcd-churn.ts').then((m) => m.benchChurn())
  : () => import('./apiserver-etcd.ts').then((m) => m.benchEtcd());
run().catch((err) => {
  console.error(err);
  process.exit(1);
});
