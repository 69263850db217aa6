// Measures the storage layer on this machine; the figures in docs/adr/0001 come from here.
//   node packages/apiserver/src/storage/bench/storage-bench.ts [--writes 20000] [--wal-writes 100000]
// Prints JSON lines. Each figure is the median of --runs runs (default 3): the machines are shared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { KubeObject } from '@skiff/api';
import { SqliteStorage } from '../sqlite/storage.ts';
import type { SynchronousMode } from '../sqlite/schema.ts';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '20000' },
    'wal-writes': { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const WRITES = Number(values.writes);
const WAL_WRITES = Number(values['wal-writes']);
const RUNS = Number(values.runs);

/** A realistic ~1.2 KiB pod. */
function pod(name: string, ns: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, uid: `uid-${name}`, creationTimestamp: '2024-01-01T00:00:00Z', labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '5d8f7c' } },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }], env: Array.from({ length: 8 }, (_, i) => ({ name: `ENV_${i}`, value: 'v'.repeat(40) })), resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
    },
    status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

function withStore<T>(o: { synchronous?: SynchronousMode }, fn: (s: SqliteStorage, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const s = SqliteStorage.open(join(dir, 'skiff.db'), { maintenanceIntervalMs: 0, ...o });
  try {
    return fn(s, dir);
  } finally {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rate(n: number, fn: (i: number) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return Math.round((n / (performance.now() - t0)) * 1000);
}

/** A bare better-sqlite3 baseline: one INSERT of the JSON per transaction, nothing else. */
function bare(sync: SynchronousMode, n: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const db = new Database(join(dir, 'bare.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync}`);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
    const ins = db.prepare('INSERT INTO t VALUES (?, ?)');
    return rate(n, (i) => ins.run(`k${i}`, JSON.stringify(pod(`p${i}`, 'default'))));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const want = (name: string) => !values.only || values.only.split(',').includes(name);

if (want('sync')) {
  for (const sync of ['NORMAL', 'FULL'] as const) {
    const n = sync === 'FULL' ? Math.min(WRITES, 2000) : WRITES;
    const creates: number[] = [];
    const updates: number[] = [];
    const bares: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      withStore({ synchronous: sync }, (s) => {
        creates.push(rate(n, (i) => s.create({ resource: 'pods', namespace: 'default', name: `p${i}` }, pod(`p${i}`, 'default'))));
        updates.push(rate(n, (i) => s.update({ resource: 'pods', namespace: 'default', name: `p${i}` }, (c) => ((c.status.podIP = `10.0.${i >> 8}.${i & 255}`), c))));
      });
      bares.push(bare(sync, n));
    }
    out({ bench: 'writes', synchronous: sync, n, createsPerSec: median(creates), updatesPerSec: median(updates), bareInsertsPerSec: median(bares), runs: { creates, updates, bares } });
  }
}

if (want('read')) {
  withStore({}, (s) => {
    const N = 10_000;
    for (let i = 0; i < N; i++) s.create({ resource: 'pods', namespace: `ns${i % 10}`, name: `p${i}` }, pod(`p${i}`, `ns${i % 10}`));
    const key = (i: number) => ({ resource: 'pods', namespace: `ns${i % 10}`, name: `p${i}` });
    const getRaw = median([0, 1, 2].map(() => rate(100_000, (i) => s.getRaw(key((i * 7919) % N)))));
    const get = median([0, 1, 2].map(() => rate(100_000, (i) => s.get(key((i * 7919) % N)))));
    const ms = (fn: () => unknown) => {
      const t0 = performance.now();
      fn();
      return +(performance.now() - t0).toFixed(1);
    };
    const listRaw = [0, 1, 2, 3, 4].map(() => ms(() => s.listRaw('pods')));
    const list = [0, 1, 2, 3, 4].map(() => ms(() => s.list('pods')));
    const listRawBody = [0, 1, 2, 3, 4].map(() => ms(() => `{"items":[${s.listRaw('pods').items.join(',')}]}`));
    const page500 = [0, 1, 2, 3, 4].map(() => ms(() => s.listRaw('pods', { limit: 500 })));
    const filtered = [0, 1, 2].map(() => ms(() => s.listRaw('pods', { filter: (o) => o.metadata.name!.endsWith('7') })));
    out({ bench: 'reads', objects: N, getRawPerSec: getRaw, getPerSec: get, list10kRawMs: median(listRaw), list10kParsedMs: median(list), list10kRawResponseBodyMs: median(listRawBody), page500RawMs: median(page500), list10kFilteredMs: median(filtered), dbBytes: s.stats().dbBytes });
  });
}

if (want('watch')) {
  withStore({}, (s) => {
    // Fan-out cost: 500 watchers on other resources and namespaces must not slow a write down.
    const n = 5000;
    const base = rate(n, (i) => s.create({ resource: 'pods', namespace: 'a', name: `x${i}` }, pod(`x${i}`, 'a')));
    for (let i = 0; i < 500; i++) s.watch(`res${i}`, { fromRevision: s.currentRevision() }, () => {});
    for (let i = 0; i < 500; i++) s.watch('pods', { fromRevision: s.currentRevision(), namespace: `other${i}` }, () => {});
    const withUnrelated = rate(n, (i) => s.create({ resource: 'pods', namespace: 'a', name: `y${i}` }, pod(`y${i}`, 'a')));
    let got = 0;
    for (let i = 0; i < 50; i++) s.watch('pods', { fromRevision: s.currentRevision() }, (e) => (got += e.raw!.length > 0 ? 1 : 0));
    const with50Raw = rate(n, (i) => s.create({ resource: 'pods', namespace: 'a', name: `z${i}` }, pod(`z${i}`, 'a')));
    // Resume from 4000 revisions back: served from the ring, then from the log.
    const t0 = performance.now();
    let replayed = 0;
    s.watch('pods', { fromRevision: s.currentRevision() - 4000 }, () => replayed++).close();
    const ringReplayMs = +(performance.now() - t0).toFixed(1);
    const t1 = performance.now();
    let fromLog = 0;
    s.watch('pods', { fromRevision: 0 }, () => fromLog++).close();
    const logReplayMs = +(performance.now() - t1).toFixed(1);
    out({ bench: 'watch', createsPerSecNoWatchers: base, createsPerSec1000UnrelatedWatchers: withUnrelated, createsPerSec50Watchers: with50Raw, delivered: got, ringReplay: { events: replayed, ms: ringReplayMs }, logReplay: { events: fromLog, ms: logReplayMs } });
  });
}

if (want('wal')) {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const s = SqliteStorage.open(join(dir, 'skiff.db'), { maintenanceIntervalMs: 0 });
  let maxWal = 0;
  const t0 = performance.now();
  for (let i = 0; i < WAL_WRITES; i++) {
    const k = { resource: 'pods', namespace: 'default', name: `p${i % 10_000}` };
    if (i < 10_000) s.create(k, pod(k.name, 'default'));
    else s.update(k, (c) => ((c.status.podIP = String(i)), c));
    if (i % 1000 === 0) maxWal = Math.max(maxWal, s.stats().walBytes);
  }
  const secs = (performance.now() - t0) / 1000;
  const before = s.stats();
  const t1 = performance.now();
  await s.compact();
  const compactMs = Math.round(performance.now() - t1);
  const t2 = performance.now();
  await s.vacuum();
  const vacuumMs = Math.round(performance.now() - t2);
  const cp = s.checkpoint();
  const after = s.stats();
  out({
    bench: 'wal',
    writes: WAL_WRITES,
    writesPerSec: Math.round(WAL_WRITES / secs),
    maxWalBytesDuringWrites: maxWal,
    walBytesAfterWrites: before.walBytes,
    dbBytesAfterWrites: before.dbBytes,
    logRowsBeforeCompaction: before.revision - before.compactedRevision,
    compactMs,
    logRowsAfterCompaction: after.revision - after.compactedRevision,
    walBytesAfterIdleCheckpoint: cp.walBytes,
    vacuumMs,
    dbBytesAfterCompactionAndVacuum: after.dbBytes,
  });
  s.close();
  rmSync(dir, { recursive: true, force: true });
}

if (want('group')) {
  // What group commit could buy: the same inserts, one transaction each vs 16 per transaction.
  for (const sync of ['NORMAL', 'FULL'] as const) {
    const n = sync === 'FULL' ? 3000 : 20000;
    const single: number[] = [];
    const grouped: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
      const db = new Database(join(dir, 'g.db'));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${sync}`);
      db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
      const ins = db.prepare('INSERT INTO t VALUES (?, ?)');
      const text = JSON.stringify(pod('p', 'default'));
      single.push(rate(n, (i) => ins.run(`a${i}`, text)));
      const batch = db.transaction((i: number) => {
        for (let j = 0; j < 16; j++) ins.run(`b${i}-${j}`, text);
      });
      grouped.push(rate(n / 16, (i) => batch(i)) * 16);
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    out({ bench: 'group-commit', synchronous: sync, txnPerWritePerSec: median(single), sixteenPerTxnPerSec: median(grouped), runs: { single, grouped } });
  }
}

if (want('wal-live')) {
  // The realistic case: writes arrive in event-loop turns and the maintenance timer (1 s here)
  // compacts, vacuums and checkpoints alongside. Reports the bounds that matter in production.
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const worst: Record<string, number> = {};
  const writeMs: number[] = [];
  const acPages = Number(process.env.WAL_AUTOCHECKPOINT ?? 4000);
  const s = SqliteStorage.open(join(dir, 'skiff.db'), {
    maintenanceIntervalMs: 1000,
    walAutocheckpointPages: acPages,
    onTiming: (op, ms) => {
      worst[op] = Math.max(worst[op] ?? 0, ms);
      if (op === 'create' || op === 'update') writeMs.push(ms);
    },
  });
  let maxWal = 0;
  let maxLogRows = 0;
  let maxDb = 0;
  const t0 = performance.now();
  for (let i = 0; i < WAL_WRITES; ) {
    for (const end = Math.min(WAL_WRITES, i + 200); i < end; i++) {
      const k = { resource: 'pods', namespace: 'default', name: `p${i % 10_000}` };
      if (i < 10_000) s.create(k, pod(k.name, 'default'));
      else s.update(k, (c) => ((c.status.podIP = String(i)), c));
    }
    const st = s.stats();
    maxWal = Math.max(maxWal, st.walBytes);
    maxDb = Math.max(maxDb, st.dbBytes);
    maxLogRows = Math.max(maxLogRows, st.revision - st.compactedRevision);
    await new Promise((r) => setImmediate(r));
  }
  const secs = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 2500)); // two idle maintenance periods
  const end = s.stats();
  out({
    bench: 'wal-live',
    walAutocheckpointPages: acPages,
    writes: WAL_WRITES,
    writesPerSec: Math.round(WAL_WRITES / secs),
    maxWalBytes: maxWal,
    maxLogRows,
    maxDbBytes: maxDb,
    worstCompactBatchMs: +(worst.compact ?? 0).toFixed(1),
    worstCheckpointMs: +(worst.checkpoint ?? 0).toFixed(1),
    writeMs: (() => {
      const xs = writeMs.sort((a, b) => a - b);
      const q = (p: number) => +xs[Math.min(xs.length - 1, Math.floor(xs.length * p))].toFixed(2);
      return { p50: q(0.5), p99: q(0.99), p999: q(0.999), max: q(1) };
    })(),
    afterIdle: { walBytes: end.walBytes, dbBytes: end.dbBytes, logRows: end.revision - end.compactedRevision },
  });
  s.close();
  rmSync(dir, { recursive: true, force: true });
}
