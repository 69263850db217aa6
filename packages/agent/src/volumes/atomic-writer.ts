// Writes the files of a projected volume so that a reader never sees half a set, as the
// kubelet's AtomicWriter does:
//
//   <dir>/..2026_12_05_17_50_00.Ab12Cd/   the files of one version, in a timestamped directory
//   <dir>/..data -> ..2026_12_05_...      the current version, swapped with one rename(2)
//   <dir>/<key>  -> ..data/<key>          what the user sees, through ..data
//
// A new version is written beside the old one, a `..data_tmp` link to it is renamed over
// `..data` (atomic), then links for new top-level names are added, links no longer in the
// payload removed, and older versions deleted. Unchanged payloads write nothing.
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { Payload } from './projection.ts';

export const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

export interface WriteOptions {
  /** fsGroup: files and directories get this group, read bits for it (the volume is read-only). */
  fsGroup?: number;
  now?: Date;
}

/** Throws when a payload path could leave the volume or hide the writer's own names. */
export function validatePayloadPath(path: string): void {
  if (path === '' || path.startsWith('/')) throw new Error(`invalid path ${JSON.stringify(path)}: must be relative and not empty`);
  if (path.length > 4096) throw new Error(`invalid path: longer than 4096 characters`);
  const parts = path.split('/');
  if (parts.includes('..') || parts.includes('.') || parts.includes('')) throw new Error(`invalid path ${JSON.stringify(path)}: must not contain '..', '.' or empty elements`);
  if (path.startsWith('..')) throw new Error(`invalid path ${JSON.stringify(path)}: must not start with '..'`);
}

/** Whether the payload differs from the version `..data` points at (content, mode or the set of files). */
function differs(dir: string, payload: Payload, fsGroup: number | undefined): boolean {
  let current: string;
  try {
    current = join(dir, readlinkSync(join(dir, DATA_DIR)));
  } catch {
    return true;
  }
  for (const [path, file] of payload) {
    try {
      const st = statSync(join(current, path));
      if ((st.mode & 0o7777) !== fileMode(file.mode, fsGroup)) return true;
      if (fsGroup !== undefined && st.gid !== fsGroup) return true;
      if (file.uid !== undefined && st.uid !== file.uid) return true;
      if (!readFileSync(join(current, path)).equals(file.data)) return true;
    } catch {
      return true;
    }
  }
  return listFiles(current).some((p) => !payload.has(p));
}

function listFiles(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, rel));
    else out.push(rel);
  }
  return out;
}

const fileMode = (mode: number, fsGroup: number | undefined) => (fsGroup === undefined ? mode & 0o7777 : (mode | 0o440) & 0o7777);

function timestampPrefix(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

/** Writes the payload into `dir` (which must exist); returns whether anything changed. */
export function writeAtomically(dir: string, payload: Payload, opts: WriteOptions = {}): boolean {
  for (const path of payload.keys()) validatePayloadPath(path);
  if (!differs(dir, payload, opts.fsGroup)) return false;
  let oldTs: string | undefined;
  try {
    oldTs = readlinkSync(join(dir, DATA_DIR));
  } catch {
    oldTs = undefined;
  }

  // 1. The new version, complete, in its own directory.
  const tsDir = mkdtempSync(join(dir, timestampPrefix(opts.now ?? new Date())));
  chmodSync(tsDir, 0o755);
  for (const [path, file] of payload) {
    const target = join(tsDir, path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, file.data);
    chmodSync(target, fileMode(file.mode, opts.fsGroup));
  }
  if (opts.fsGroup !== undefined) chownTree(tsDir, opts.fsGroup);
  // A file given an owner (the pod's user's ServiceAccount token) is that user's.
  for (const [path, file] of payload) if (file.uid !== undefined) chownSync(join(tsDir, path), file.uid, statSync(join(tsDir, path)).gid);

  // 2. The swap: a temporary link renamed over ..data, so readers see the old set or the new one.
  const tsName = posix.basename(tsDir);
  rmSync(join(dir, DATA_TMP), { force: true });
  symlinkSync(tsName, join(dir, DATA_TMP));
  renameSync(join(dir, DATA_TMP), join(dir, DATA_DIR));

  // 3. User-visible links for the top-level names, through ..data.
  const topLevel = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const name of topLevel) {
    const link = join(dir, name);
    let exists = false;
    try {
      lstatSync(link);
      exists = true;
    } catch {
      exists = false;
    }
    if (!exists) symlinkSync(posix.join(DATA_DIR, name), link);
  }

  // 4. Links to names no longer in the payload, then the old version.
  for (const e of readdirSync(dir)) {
    if (e.startsWith('..') || topLevel.has(e)) continue;
    const link = join(dir, e);
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link).startsWith(`${DATA_DIR}/`)) unlinkSync(link);
  }
  // The kubelet removes the old version at once; a reader resolving a path through ..data at that
  // moment would find nothing. The version before stays until the next write, so a lookup fails only
  // if two versions are swapped in during it.
  for (const e of readdirSync(dir)) {
    if (e.startsWith('..') && e !== DATA_DIR && e !== tsName && e !== oldTs) rmSync(join(dir, e), { recursive: true, force: true });
  }
  return true;
}

function chownTree(root: string, gid: number): void {
  chownSync(root, statSync(root).uid, gid);
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) chownTree(p, gid);
    else chownSync(p, 0, gid);
  }
}
