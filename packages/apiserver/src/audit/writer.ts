// The audit log file (--audit-log-path): one JSON event per line, appended in batches so a request
// never waits for the disk. Events gather for up to FLUSH_MS (or FLUSH_BYTES) and are handed to
// one write; the next batch gathers while it is in flight. (Per-turn writes cost a thread-pool
// round trip every few requests: measured, a third of the GET rate.) Rotation by size as kube-apiserver's lumberjack does:
// past --audit-log-maxsize MB the file is renamed to NAME-<time>.EXT and a new one begun; beyond
// --audit-log-maxbackup old files the oldest go. `-` writes to stdout.
import { closeSync, openSync, readdirSync, renameSync, statSync, unlinkSync, write } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface AuditWriterOptions {
  path: string;
  /** Rotate past this many megabytes (1 MB = 1024*1024 bytes); 0: never. */
  maxSizeMB?: number;
  /** Old files kept; 0 keeps them all (as kube-apiserver). */
  maxBackups?: number;
  /** Events waiting beyond which new ones are dropped (and counted) rather than held in memory. */
  maxPending?: number;
  onError?: (err: Error) => void;
}

const FLUSH_MS = 25;
const FLUSH_BYTES = 256 * 1024;

export class AuditWriter {
  readonly #o: AuditWriterOptions;
  #fd: number;
  #size = 0;
  #pending: string[] = [];
  #writing = false;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #pendingBytes = 0;
  #drained: (() => void)[] = [];
  /** Events dropped because the disk did not keep up. */
  dropped = 0;
  written = 0;

  constructor(o: AuditWriterOptions) {
    this.#o = o;
    if (o.path === '-') this.#fd = 1;
    else {
      this.#fd = openSync(o.path, 'a', 0o600);
      this.#size = statSync(o.path).size;
    }
  }

  /** Queues one event line (without the newline). */
  write(line: string): void {
    if (this.#pending.length >= (this.#o.maxPending ?? 100_000)) {
      this.dropped++;
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += line.length + 1;
    if (this.#writing) return;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flushNow();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      this.#timer = setTimeout(() => this.#flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }

  #flushNow(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush();
  }

  /** Resolves once everything queued so far is written (without waiting for the batch timer). */
  flushed(): Promise<void> {
    if (!this.#pending.length && !this.#writing) return Promise.resolve();
    const done = new Promise<void>((r) => this.#drained.push(r));
    if (!this.#writing) this.#flushNow();
    return done;
  }

  #flush(): void {
    this.#scheduled = false;
    if (!this.#pending.length) {
      for (const r of this.#drained.splice(0)) r();
      return;
    }
    const buf = Buffer.from(this.#pending.join('\n') + '\n');
    this.written += this.#pending.length;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#writing = true;
    const done = (err: NodeJS.ErrnoException | null) => {
      this.#writing = false;
      if (err) this.#o.onError?.(err);
      this.#size += buf.length;
      const max = (this.#o.maxSizeMB ?? 0) * 1024 * 1024;
      if (max > 0 && this.#size >= max && this.#fd !== 1) {
        try {
          this.#rotate();
        } catch (e) {
          this.#o.onError?.(e as Error);
        }
      }
      // What gathered during the write goes out now if it is a full batch, else with the timer.
      if (this.#pendingBytes >= FLUSH_BYTES || this.#drained.length) this.#flush();
      else if (this.#pending.length) {
        this.#scheduled = true;
        this.#timer = setTimeout(() => this.#flush(), FLUSH_MS);
        this.#timer.unref();
      } else for (const r of this.#drained.splice(0)) r();
    };
    writeAll(this.#fd, buf, 0, done);
  }

  #rotate(): void {
    const p = this.#o.path;
    const ext = extname(p);
    const base = basename(p, ext);
    // lumberjack's backup name: audit-2006-01-02T15-04-05.000.log
    const stamp = new Date().toISOString().replace(/:/g, '-').replace(/Z$/, '');
    let target = join(dirname(p), `${base}-${stamp}${ext}`);
    for (let n = 1; exists(target); n++) target = join(dirname(p), `${base}-${stamp}-${n}${ext}`);
    closeSync(this.#fd);
    renameSync(p, target);
    this.#fd = openSync(p, 'a', 0o600);
    this.#size = 0;
    const keep = this.#o.maxBackups ?? 0;
    if (keep > 0) {
      const old = backups(p).slice(0, -keep);
      for (const f of old) unlinkSync(f);
    }
  }

  close(): Promise<void> {
    return this.flushed().then(() => {
      if (this.#fd !== 1) closeSync(this.#fd);
    });
  }
}

function writeAll(fd: number, buf: Buffer, offset: number, done: (err: NodeJS.ErrnoException | null) => void): void {
  write(fd, buf, offset, buf.length - offset, null, (err, n) => {
    if (err) return done(err);
    if (offset + n < buf.length) return writeAll(fd, buf, offset + n, done);
    done(null);
  });
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The rotated files of `path`, oldest first (their names sort by time). */
export function backups(path: string): string[] {
  const ext = extname(path);
  const base = basename(path, ext);
  const dir = dirname(path);
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{4}-\\d\\d-\\d\\dT[\\d-]+\\.\\d{3}(-\\d+)?${ext.replace('.', '\\.')}$`);
  return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
}
