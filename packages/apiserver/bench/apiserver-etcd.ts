// bench:apiserver --datastore etcd — the etcd backend, on a real three-member cluster on loopback
// started for the run (Debian's etcd), measured in one run against baselines measured alongside:
// 1. creates/s and GETs/s of skiff on etcd vs a bare fastify + etcd3 server doing the same puts
//    and ranges (bare-etcd-server.ts), and its creates as conditional puts (the transaction
//    skiff's create is);
// 2. two skiff servers on one cluster vs one: aggregate creates/s;
// 3. LIST of 10,000 pods, skiff on etcd vs skiff on SQLite;
// 4. `skiff server` with its scheduler and controller manager on (worker threads, busy with the
//    pods being created) vs the API server alone, creates/s, on SQLite and on etcd (./components.ts);
// 5. the etcd database size over many writes with compaction running (a bounded store).
// `--only components` runs part 4 alone, `--only list` part 3, `--only creates` part 1; `--churn N` (./etcd-churn.ts) the bounded store through
// skiff's own storage instead of part 5's bare puts. Every server is warmed up alike before it is
// measured: `--warm S` seconds of creates (default 10, ./components.ts warmSeconds).
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { startEtcdCluster } from '../src/testing/etcd-cluster.ts';
import { startChildServer } from '../src/testing/child-server.ts';
import { benchComponents, ensureDefaultServiceAccount, warmSeconds } from './components.ts';
import { defragmentMembers } from './etcd-maintenance.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const MAIN = join(root, 'packages/cli/src/main.ts');
const arg = (name: string, dflt: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const duration = arg('--duration', 10);
/** `--only components`: just part 4 (skiff server with its components vs alone); `--only list`: just part 3; `--only creates`: just part 1. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const writes = arg('--writes', 100_000);
const CONNECTIONS = 32;

const podBody = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'bench-', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'web', image: 'skiff/busybox:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

interface Server { url: string; proc: ChildProcess; dir: string }

async function start(args: string[]): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const { proc, ready } = await startChildServer(args.map((a) => (a === '$DIR' ? dir : a)), { stderr: 'inherit' });
  return { url: ready, proc, dir };
}
const stop = (s: Server) => {
  s.proc.kill('SIGKILL');
  rmSync(s.dir, { recursive: true, force: true });
};

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
const creates = (s: Server, extra: Partial<autocannon.Options> = {}) =>
  load({ url: `${s.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, ...extra });
/** Every server, bare or skiff, is warmed up alike before it is measured (`--warm S`, ./components.ts warmSeconds). */
const warm = (s: Server) => autocannon({ url: `${s.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, duration: warmSeconds(), connections: CONNECTIONS });

const fmt = (n: number) => n.toFixed(0).padStart(7);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

async function listTime(s: Server, ns: string): Promise<{ median: number; count: number; mb: number }> {
  const times: number[] = [];
  let count = 0;
  let mb = 0;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const r = await send(`${s.url}/api/v1/namespaces/${ns}/pods`, 'GET');
    times.push(performance.now() - t0);
    count = (JSON.parse(r.text) as { items: unknown[] }).items.length;
    mb = r.text.length / 1e6;
  }
  times.sort((a, b) => a - b);
  return { median: times[3], count, mb };
}

async function fill(s: Server, ns: string, n: number): Promise<void> {
  await send(`${s.url}/api/v1/namespaces`, 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  await autocannon({ url: `${s.url}/api/v1/namespaces/${ns}/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody, amount: n, connections: CONNECTIONS });
}

/**
 * The pods the bare server and skiff (its warm-up) wrote deleted, compacted and defragmented:
 * each measured run starts from the same database, so a run does not pay for the keys the runs
 * before it wrote (skiff's creates, run last, met several times as many keys as the first bare
 * run before). skiff learns of the deletes from its watch, as of any other server's.
 */
async function dropPods(hosts: string[]): Promise<void> {
  const client = new Etcd3({ hosts: hosts.map((h) => `http://${h}`) });
  try {
    await client.delete().prefix('/skiff/pods/default/');
    const { header } = await client.delete().prefix('/bare/');
    await client.kv.compact({ revision: header.revision });
    await defragmentMembers(hosts);
  } finally {
    client.close();
  }
}

/** 1. skiff on etcd vs the bare etcd client, same run: creates and GETs. */
async function createsPart(skiff: Server, hosts: string[], servers: Server[]): Promise<void> {
  const bare = await start([join(here, 'bare-etcd-server.ts'), hosts.join(',')]);
  servers.push(bare);
  await warm(bare);
  await dropPods(hosts);
  const bareRun = async (opts: autocannon.Options) => {
    const r = await load(opts);
    await dropPods(hosts);
    return r;
  };
  const bareCreate = await bareRun({ url: `${bare.url}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody });
  const bareConditional = await bareRun({ url: `${bare.url}/conditional/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: podBody });
  // The same puts as skiff's: what skiff stores for podBody (defaulted, with its managedFields,
  // uid and timestamp) is the body the bare server then puts, so both write the same bytes.
  const sample = JSON.parse((await send(`${skiff.url}/api/v1/namespaces/default/pods`, 'POST', podBody)).text) as { metadata: Record<string, unknown> };
  delete sample.metadata.name;
  sample.metadata.resourceVersion = '';
  const storedBody = JSON.stringify(sample);
  const sameBytes = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: storedBody };
  const bareSame = await bareRun({ url: `${bare.url}/api/v1/namespaces/default/pods`, ...sameBytes });
  const bareSameConditional = await bareRun({ url: `${bare.url}/conditional/api/v1/namespaces/default/pods`, ...sameBytes });
  const skiffCreate = await creates(skiff);
  const named = podBody.replace('"generateName":"bench-"', '"name":"bench-get"');
  await send(`${skiff.url}/api/v1/namespaces/default/pods`, 'POST', named);
  await send(`${bare.url}/api/v1/namespaces/default/pods`, 'POST', named);
  const bareGet = await load({ url: `${bare.url}/api/v1/namespaces/default/pods/bench-get` });
  const skiffGet = await load({ url: `${skiff.url}/api/v1/namespaces/default/pods/bench-get` });
  console.log('                         bare fastify+etcd3   skiff on etcd   ratio (aim)');
  console.log(`creates/s                ${fmt(bareCreate.requests.average)}              ${fmt(skiffCreate.requests.average)}        ${ratio(skiffCreate.requests.average, bareCreate.requests.average)} (0.6x)   p99 ${skiffCreate.latency.p99} ms`);
  console.log(`  bare as a conditional create (one txn, as skiff's create):   ${fmt(bareConditional.requests.average)}/s; skiff ${ratio(skiffCreate.requests.average, bareConditional.requests.average)} of it, plain put ${ratio(bareConditional.requests.average, bareCreate.requests.average)}`);
  const skiffRate = skiffCreate.requests.average;
  console.log(`  bare putting the bytes skiff stores (${storedBody.length} B, not the ${podBody.length} B sent): put ${fmt(bareSame.requests.average)}/s, skiff ${ratio(skiffRate, bareSame.requests.average)} of it; conditional ${fmt(bareSameConditional.requests.average)}/s, skiff ${ratio(skiffRate, bareSameConditional.requests.average)}`);
  console.log(`GETs/s                   ${fmt(bareGet.requests.average)}              ${fmt(skiffGet.requests.average)}        ${ratio(skiffGet.requests.average, bareGet.requests.average)} (0.7x)   p99 ${skiffGet.latency.p99} ms`);
  stop(bare);
}

/** Parts 1-3; servers started here go into `servers` (stopped by the caller in the end). */
async function partsOneToThree(skiff: Server, sqlite: Server, skiffOn: (prefix: string) => Promise<Server>, hosts: string[], servers: Server[]): Promise<void> {
  await createsPart(skiff, hosts, servers);

  // 2. Two API servers on one cluster vs one: aggregate creates/s (each with half the connections).
  const second = await skiffOn('/skiff/');
  await warm(second);
  const one = await creates(skiff);
  const [x, y] = await Promise.all([creates(skiff, { connections: CONNECTIONS / 2 }), creates(second, { connections: CONNECTIONS / 2 })]);
  const both = x.requests.average + y.requests.average;
  console.log(`scale-out creates/s      one server ${fmt(one.requests.average)}   two servers ${fmt(both)} (${fmt(x.requests.average)} +${fmt(y.requests.average)})   ${ratio(both, one.requests.average)}`);
  stop(second);

  await listPart(skiff, sqlite);
}

/** 3. LIST of 10,000 pods: etcd vs SQLite. */
async function listPart(skiff: Server, sqlite: Server): Promise<void> {
  await fill(skiff, 'list', 10_000);
  await fill(sqlite, 'list', 10_000);
  const le = await listTime(skiff, 'list');
  const ls = await listTime(sqlite, 'list');
  console.log(`LIST ${le.count} pods         sqlite median ${ls.median.toFixed(0)} ms   etcd median ${le.median.toFixed(0)} ms (${le.mb.toFixed(1)} MB)   ${ratio(le.median, ls.median)} of SQLite (aim <= 2x)`);
}

export async function benchEtcd(): Promise<void> {
  const cluster = await startEtcdCluster(3);
  const servers: Server[] = [];
  const skiffOn = (prefix: string, components = false) =>
    start([MAIN, 'server', '--datastore-endpoint', cluster.endpoint, '--data-dir', '$DIR', '--port', '0', '--insecure-port', '0', ...(components ? [] : ['--no-scheduler', '--no-controllers'])]).then(async (s) => {
      servers.push(s);
      // As in every cluster (the controller manager, off here, would make it): pods are admitted
      // with it from the server's view, not looked up at each create.
      await ensureDefaultServiceAccount(s);
      return s;
    });
  try {
    console.log(`\nbench:apiserver --datastore etcd  (${duration} s per run, ${CONNECTIONS} connections, autocannon; etcd ${cluster.members.length} members on loopback)`);

    if (only === 'creates') {
      const skiff = await skiffOn('/skiff/');
      await warm(skiff);
      await createsPart(skiff, cluster.hosts, servers);
      return;
    }
    if (!only || only === 'list') {
      const skiff = await skiffOn('/skiff/');
      await warm(skiff);
      const sqlite = await start([MAIN, 'server', '--data-dir', '$DIR', '--port', '0', '--insecure-port', '0', '--no-scheduler', '--no-controllers']);
      servers.push(sqlite);
      await warm(sqlite);
      if (only === 'list') await listPart(skiff, sqlite);
      else await partsOneToThree(skiff, sqlite, skiffOn, cluster.hosts, servers);
      stop(sqlite);
      stop(skiff);
      if (only === 'list') return;
    }
    // 4. Components on vs the API server alone, SQLite and etcd (./components.ts): one server at a
    //    time, each on an empty store: the etcd cluster is emptied, compacted and defragmented
    //    before each, so that every measurement starts from a small database, not from what the
    //    parts before (or the previous measurement) left in it.
    const client = new Etcd3({ hosts: cluster.hosts.map((h) => `http://${h}`) });
    /** The revision etcd has been compacted to: a compaction to an older one is refused (OUT_OF_RANGE). */
    let compactedAt = 0;
    const empty = async () => {
      const { header } = await client.delete().all();
      await client.kv.compact({ revision: header.revision });
      compactedAt = Number(header.revision);
      await defragmentMembers(cluster.hosts);
    };
    try {
      await benchComponents('sqlite');
      await benchComponents('etcd', { etcdEndpoint: cluster.endpoint, reset: empty });
    } finally {
      client.close();
    }

    if (only) return;
    // 5. A bounded store: etcd's database size over many writes, compaction every 5 s (as an API
    //    server does every 5 min), defragmented at the end.
    const churnClient = new Etcd3({ hosts: cluster.hosts.map((h) => `http://${h}`) });
    const size = async () => Number((await churnClient.maintenance.status()).dbSize);
    const start0 = await size();
    const value = Buffer.from(podBody.repeat(1));
    let done = 0;
    let maxSize = start0;
    let lastCompact = 0;
    const t0 = performance.now();
    const keysInUse = 10_000;
    while (done < writes) {
      await Promise.all(Array.from({ length: 64 }, (_, i) => churnClient.kv.put({ key: Buffer.from(`/churn/${(done + i) % keysInUse}`), value })));
      done += 64;
      if (performance.now() - lastCompact > 5000) {
        lastCompact = performance.now();
        const rev = Number((await churnClient.kv.range({ key: Buffer.from('/churn/0') })).header.revision);
        if (rev - keysInUse > compactedAt) {
          await churnClient.kv.compact({ revision: rev - keysInUse });
          compactedAt = rev - keysInUse;
        }
        maxSize = Math.max(maxSize, await size());
      }
    }
    const secs = (performance.now() - t0) / 1000;
    maxSize = Math.max(maxSize, await size());
    await defragmentMembers(cluster.hosts);
    const after = await size();
    console.log(`store after ${done} writes (${(done / secs).toFixed(0)}/s, 10,000 keys rewritten, compacted every 5 s): db size max ${(maxSize / 1e6).toFixed(1)} MB, after defrag ${(after / 1e6).toFixed(1)} MB (started at ${(start0 / 1e6).toFixed(1)} MB)`);
    churnClient.close();
  } finally {
    for (const s of servers) if (s.proc.exitCode === null) stop(s);
    await cluster.stop();
  }
}
