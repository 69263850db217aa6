// Loaded into a benchmarked server with `node --expose-gc --import ./mem-probe.ts`: on SIGUSR2 it
// collects garbage (twice: a full collection, then what finalizers freed) and appends one JSON line
// of process.memoryUsage() to $SKIFF_BENCH_MEM_FILE. The heap after a full collection is the live
// heap, which is what tells a leak (it grows with the writes) from a lazily collected heap; with
// it V8's committed size per space and its own malloc'd memory.
import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

const file = process.env.SKIFF_BENCH_MEM_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const before = process.memoryUsage();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const after = process.memoryUsage();
    // Where V8's memory is beyond the used heap: each space's committed size, and what V8 itself
    // took with malloc (zones of the compilers and parsers).
    const h = getHeapStatistics();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((x) => [x.space_name, x.space_size]));
    appendFileSync(file, `${JSON.stringify({ rssBefore: before.rss, heapUsedBefore: before.heapUsed, ...after, collected: !!gc, physical: h.total_physical_size, malloced: h.malloced_memory, peakMalloced: h.peak_malloced_memory, spaces })}\n`);
  });
}
