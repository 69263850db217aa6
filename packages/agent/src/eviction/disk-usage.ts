// How much disk a directory tree uses, as `du` counts it (allocated blocks, each inode once), with
// the cost bounded: the walk stops as soon as the total passes `stopAbove` (the question is only
// whether a limit is exceeded) and after `maxEntries` entries. It reads the tree with one lstat
// or readdir in flight at a time, so a large tree slows the measurement, not the agent.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface DiskUsage {
  bytes: number;
  entries: number;
  /** The walk stopped early (past stopAbove or maxEntries): `bytes` is a lower bound. */
  partial: boolean;
}

export interface MeasureOptions {
  /** Stop once the total is above this. */
  stopAbove: number;
  /** Stop after this many entries (files, directories, links). */
  maxEntries: number;
}

export async function measureDiskUsage(root: string, o: MeasureOptions): Promise<DiskUsage> {
  const seen = new Set<bigint>();
  const out: DiskUsage = { bytes: 0, entries: 0, partial: false };
  const stack = [root];
  while (stack.length) {
    if (out.bytes > o.stopAbove || out.entries >= o.maxEntries) {
      out.partial = true;
      break;
    }
    const path = stack.pop()!;
    let st;
    try {
      st = await lstat(path, { bigint: true });
    } catch {
      continue; // removed meanwhile
    }
    out.entries++;
    if (st.nlink > 1n && !st.isDirectory()) {
      if (seen.has(st.ino)) continue;
      seen.add(st.ino);
    }
    out.bytes += Number(st.blocks) * 512;
    if (st.isDirectory()) {
      try {
        for (const name of await readdir(path)) stack.push(join(path, name));
      } catch {
        // unreadable or removed meanwhile: counted as its own blocks only
      }
    }
  }
  return out;
}
