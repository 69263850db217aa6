// Loaded into a benchmarked server with `node --expose-gc --import ./mem-probe.ts`: on SIGUSR2 it
// collects garbage (twice: a full collection, then what finalizers freed) and appends one JSON line
// of process.memoryUsage() to $SKIFF_BENCH_MEM_FILE. The heap after a full collection is the live
// heap, which is what tells a leak (it grows with the writes) from a lazily collected heap.
import { appendFileSync } from 'node:fs';

const file = process.env.SKIFF_BENCH_MEM_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const before = process.memoryUsage();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const after = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ rssBefore: before.rss, heapUsedBefore: before.heapUsed, ...after, collected: !!gc })}\n`);
  });
}
