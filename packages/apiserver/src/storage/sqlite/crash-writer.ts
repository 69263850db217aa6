// Child process of crash.test.ts: writes forever and prints each write on stdout only after the
// storage call returned (= acknowledged). The test SIGKILLs it at random moments.
//   node crash-writer.ts <dataDir> <run> [group]
// With `group`, the storage is set up as the API server uses it (group commit, checkpoints in a
// worker thread) and the lines of a batch of writes are printed only
// after flush() resolved: that is when a group-committed write is acknowledged.
// Per step i: create `k-<run>-<i>`; every 3rd step also bump the `counter` object; every 5th
// step create `d-<run>-<i>` and then delete it. Lines: `C name rv`, `U counter n rv`, `D name rv`.
// Small retention and a fast maintenance timer make kills land during compaction and checkpoints too;
// in group mode a 256 KiB WAL bound makes them land during the writer's own TRUNCATE checkpoints.
import { openStorage } from '../index.ts';

const [dataDir, run, mode] = process.argv.slice(2);
const group = mode === 'group';
const s = openStorage({ dataDir, retainRevisions: 300, compactBatchSize: 100, maintenanceIntervalMs: 10, groupCommit: group, checkpointInWorker: group, ...(group ? { walMaxBytes: 256 * 1024 } : {}) });
const key = (name: string) => ({ resource: 'pods', namespace: 'crash', name });
const obj = (name: string, spec: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'crash' }, spec });
let unacknowledged: string[] = [];
const say = (line: string) => (group ? unacknowledged.push(line) : process.stdout.write(`${line}\n`));
/** Group commit: the writes so far are acknowledged once the batch has committed. */
async function acknowledge(): Promise<void> {
  if (!group) return;
  await s.flush();
  process.stdout.write(unacknowledged.map((l) => `${l}\n`).join(''));
  unacknowledged = [];
}

if (!s.get(key('counter'))) s.create(key('counter'), obj('counter', { n: 0 }));
await acknowledge();
process.stdout.write(`READY ${s.currentRevision()}\n`);

for (let i = 0; ; i++) {
  const name = `k-${run}-${i}`;
  say(`C ${name} ${s.create(key(name), obj(name, { pad: 'x'.repeat(200 + (i % 7) * 100) })).metadata.resourceVersion}`);
  if (i % 3 === 0) {
    const u = s.update(key('counter'), (c) => ({ ...c, spec: { n: c.spec.n + 1 } }));
    say(`U counter ${u.spec.n} ${u.metadata.resourceVersion}`);
  }
  if (i % 5 === 0) {
    const d = `d-${run}-${i}`;
    s.create(key(d), obj(d, {}));
    say(`D ${d} ${s.delete(key(d)).metadata.resourceVersion}`);
  }
  if (i % 8 === 7) await acknowledge();
  // Let the maintenance timer run now and then.
  if (i % 25 === 0) await new Promise((r) => setImmediate(r));
}
