// bench:apiserver --datastore etcd --churn N — the store stays bounded after N writes (issue 11:
// "the store stays bounded after 1,000,000 writes"; kine's compaction falling behind is the
// failure to avoid). skiff's own etcd storage (the API server's write path: read, mutate,
// compare-and-swap transaction; its watch stream, window and fan-out; its compaction timer, every
// `--compact-every` seconds instead of 5 minutes so that a run of minutes sees many periods)
// rewrites 10,000 pods (`--concurrency` at a time, default 256) N times in all on a real three-member cluster, while one watcher counts
// every event. Every `--report-every` writes it prints etcd's database size (the member's
// status), the revision compacted to, and this process's RSS and heap; at the end the maxima,
// and the database after `defrag`. Bounded means: the database and the memory stop growing once
// compaction runs, whatever N is.
import { Etcd3 } from 'etcd3';
import { EtcdStorage } from '../src/storage/etcd/storage.ts';
import { startEtcdCluster } from '../src/testing/etcd-cluster.ts';
import { defragmentMembers } from './etcd-maintenance.ts';

const arg = (name: string, dflt: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);

export async function benchChurn(): Promise<void> {
  const writes = arg('--churn', 1_000_000);
  const reportEvery = arg('--report-every', 100_000);
  const compactEverySec = arg('--compact-every', 10);
  const keysInUse = 10_000;
  const concurrency = arg('--concurrency', 256);
  const cluster = await startEtcdCluster(3);
  const storage = await EtcdStorage.open({ hosts: cluster.hosts, prefix: '/churn/', compactIntervalMs: compactEverySec * 1000, onLog: (m, e) => console.error(`storage: ${m}${e ? `: ${(e as Error).message}` : ''}`) });
  const admin = new Etcd3({ hosts: cluster.hosts.map((h) => `http://${h}`) });
  const dbSize = async () => Math.max(...(await Promise.all(cluster.hosts.map(async (h) => {
    const c = new Etcd3({ hosts: `http://${h}` });
    try {
      return Number((await c.maintenance.status()).dbSize);
    } finally {
      c.close();
    }
  }))));
  try {
    console.log(`\nbench:apiserver --datastore etcd --churn ${writes}  (10,000 pods rewritten through skiff's etcd storage, ${concurrency} at a time; compaction every ${compactEverySec} s; one watcher; etcd 3 members on loopback)`);
    const pod = (i: number, gen: number) => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `p${i}`, namespace: 'churn', labels: { app: 'churn', gen: String(gen) } },
      spec: { containers: [{ name: 'web', image: 'skiff/busybox:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    });
    const key = (i: number) => ({ resource: 'pods', namespace: 'churn', name: `p${i}` });
    for (let i = 0; i < keysInUse; i += concurrency) await Promise.all(Array.from({ length: Math.min(concurrency, keysInUse - i) }, (_, j) => storage.create(key(i + j), pod(i + j, 0))));
    const from = storage.currentRevision();
    let events = 0;
    let lastRev = 0;
    let outOfOrder = 0;
    const watcher = storage.watch('pods', { fromRevision: from }, (e) => {
      events++;
      if (e.revision <= lastRev) outOfOrder++;
      lastRev = e.revision;
    });
    const size0 = await dbSize();
    const rss0 = process.memoryUsage().rss;
    let maxSize = size0;
    let maxRss = rss0;
    let maxHeap = process.memoryUsage().heapUsed;
    const sample = async (done: number, secs: number) => {
      const size = await dbSize();
      const m = process.memoryUsage();
      maxSize = Math.max(maxSize, size);
      maxRss = Math.max(maxRss, m.rss);
      maxHeap = Math.max(maxHeap, m.heapUsed);
      console.log(`${String(done).padStart(9)} writes  ${(done / secs).toFixed(0).padStart(5)}/s  etcd db ${(size / 1e6).toFixed(1).padStart(6)} MB  compacted to ${storage.compactedRevision()} of ${lastRev}  rss ${(m.rss / 1e6).toFixed(0)} MB  heap ${(m.heapUsed / 1e6).toFixed(0)} MB`);
    };
    const t0 = performance.now();
    let done = 0;
    let nextReport = reportEvery;
    let failures = 0;
    // SIGINT stops the writes early and still prints the summary (a long run on a busy machine).
    let stopRequested = false;
    process.once('SIGINT', () => (stopRequested = true));
    let lastWritten = 0;
    while (done < writes && !stopRequested) {
      const batch = Math.min(concurrency, writes - done);
      const base = done;
      const results = await Promise.allSettled(Array.from({ length: batch }, (_, j) => storage.update(key((base + j) % keysInUse), (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { app: 'churn', gen: String(base + j + 1) } } }))));
      failures += results.filter((r) => r.status === 'rejected').length;
      for (const r of results) if (r.status === 'fulfilled') lastWritten = Math.max(lastWritten, Number(r.value.metadata.resourceVersion));
      done += batch;
      if (done >= nextReport) {
        nextReport += reportEvery;
        await sample(done, (performance.now() - t0) / 1000);
      }
    }
    const secs = (performance.now() - t0) / 1000;
    // Every write has reached the watcher (or a minute passed: then the count says what is missing).
    const deadline = Date.now() + 60_000;
    while (lastRev < lastWritten && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    watcher.close();
    await defragmentMembers(cluster.hosts);
    const after = await dbSize();
    console.log(`${done} writes${done < writes ? ` (stopped early by SIGINT; ${writes} asked for)` : ''} in ${secs.toFixed(0)} s (${(done / secs).toFixed(0)}/s), ${failures} failed; the watcher saw ${events} events (${done - failures} expected), ${outOfOrder} out of order`);
    console.log(`etcd db: ${(size0 / 1e6).toFixed(1)} MB before the churn, ${(maxSize / 1e6).toFixed(1)} MB at most, ${(after / 1e6).toFixed(1)} MB after defrag; process rss ${(rss0 / 1e6).toFixed(0)} MB before, ${(maxRss / 1e6).toFixed(0)} MB at most; heap at most ${(maxHeap / 1e6).toFixed(0)} MB`);
  } finally {
    admin.close();
    storage.close();
    await cluster.stop();
  }
}
