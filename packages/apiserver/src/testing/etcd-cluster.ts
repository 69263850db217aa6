// A real three-member etcd cluster on loopback ports under a temp dir, for tests and benchmarks
// (Debian's etcd-server; scripts/test.sh installs it). Members can be stopped, killed and
// restarted one by one for the fault tests.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './until.ts';
import { freePorts } from './ports.ts';

export const ETCD_BIN = process.env.SKIFF_ETCD_BIN ?? 'etcd';

export interface EtcdMember {
  name: string;
  /** http://, or https:// for a cluster started with `tls`. */
  clientUrl: string;
  /** Serves /health over plain HTTP: the client URL, or for a TLS cluster its metrics URL (no client certificate needed). */
  healthUrl: string;
  peerUrl: string;
  dataDir: string;
  process: ChildProcess | undefined;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** host:port of every member, for `etcd://a,b,c`. */
  hosts: string[];
  /** `etcd://127.0.0.1:P1,127.0.0.1:P2,...` */
  endpoint: string;
  /** SIGKILLs a member (its data stays). */
  kill(i: number): Promise<void>;
  /**
   * SIGSTOPs a member and returns once every one of its threads is stopped: it answers nothing
   * more, though its sockets still accept (the kernel stops a process thread by thread, so a
   * request sent just after kill() could otherwise still be answered).
   */
  pause(i: number): Promise<void>;
  /** SIGCONTs a paused member. */
  resume(i: number): void;
  /** Starts a stopped member again with its data (returns once it listens, before it has rejoined). */
  start(i: number): Promise<void>;
  /** Waits until member i reports healthy: it has a leader again, so it counts towards the quorum. */
  rejoined(i: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Files (PEM paths) for members that serve clients over TLS. */
export interface EtcdServerTls {
  cert: string;
  key: string;
  /** The CA that clients' certificates must be signed by (etcd's --trusted-ca-file). */
  ca: string;
  /** Refuse clients without a certificate signed by `ca` (etcd's --client-cert-auth). */
  clientCertAuth: boolean;
}

/** Fails loudly when etcd is missing: the tests that need it must not pass without it. */
export function assertEtcdInstalled(): void {
  const r = spawnSync(ETCD_BIN, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`etcd is not installed (${ETCD_BIN}); scripts/test.sh installs Debian's etcd-server`);
}

/** A member that exited instead of becoming healthy, with the end of what it wrote to stderr. */
export class EtcdExitedError extends Error {
  readonly stderr: string;
  constructor(clientUrl: string, code: number, stderr: string) {
    super(`etcd at ${clientUrl} exited with ${code}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    this.stderr = stderr;
  }
}

/** Whether every thread of process `pid` is in the stopped state ('T' in /proc/PID/task/TID/stat). */
function allThreadsStopped(pid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.length > 0 && tasks.every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
  });
}

/** What the process has written to stderr so far (launch() keeps the last 4,000 characters), once its pipes are closed. */
async function stderrOf(proc: ChildProcess): Promise<string> {
  const p = proc as ChildProcess & { lastStderr?: string };
  if (proc.stderr && !proc.stderr.closed) await Promise.race([new Promise((r) => proc.once('close', r)), new Promise((r) => setTimeout(r, 1000))]);
  return p.lastStderr ?? '';
}

async function waitHealthy(m: EtcdMember, timeoutMs: number, proc: ChildProcess): Promise<void> {
  const clientUrl = m.clientUrl;
  const exited = await until(
    `etcd at ${clientUrl} to report healthy`,
    async () => {
      if (proc.exitCode !== null) return { code: proc.exitCode };
      const r = await fetch(`${m.healthUrl}/health`, { signal: AbortSignal.timeout(1000) });
      const body = await r.text();
      if (!r.ok || JSON.parse(body).health !== 'true') throw new Error(body);
      return { code: null };
    },
    { timeoutMs, intervalMs: 100 },
  );
  if (exited.code !== null) throw new EtcdExitedError(clientUrl, exited.code, await stderrOf(proc));
}

/**
 * Starts `size` members (default 3) and waits until each reports healthy (a leader exists).
 * Free ports are found by binding port 0 and letting go (freePorts), so another process (a test
 * file running in parallel) can take one before etcd binds it: etcd then exits at once saying
 * the address is in use, and the cluster is started again on other ports, at most three times.
 * Any other failure is thrown as it is. With `tls`, members serve clients over TLS only (peers
 * still talk plain HTTP on loopback), and /health on a plain metrics URL.
 */
export async function startEtcdCluster(size = 3, opts: { tls?: EtcdServerTls } = {}): Promise<EtcdCluster> {
  assertEtcdInstalled();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(size, opts.tls);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof EtcdExitedError && /address already in use/.test(e.stderr))) throw e;
    }
  }
}

async function startOnFreePorts(size: number, tls: EtcdServerTls | undefined): Promise<EtcdCluster> {
  const root = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const ports = await freePorts(size * 3);
  const members: EtcdMember[] = Array.from({ length: size }, (_, i) => {
    const clientUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${ports[3 * i]}`;
    return {
      name: `m${i + 1}`,
      clientUrl,
      healthUrl: tls ? `http://127.0.0.1:${ports[3 * i + 2]}` : clientUrl,
      peerUrl: `http://127.0.0.1:${ports[3 * i + 1]}`,
      dataDir: join(root, `m${i + 1}`),
      process: undefined,
    };
  });
  const tlsArgs = (m: EtcdMember) =>
    tls ? ['--cert-file', tls.cert, '--key-file', tls.key, '--trusted-ca-file', tls.ca, ...(tls.clientCertAuth ? ['--client-cert-auth'] : []), '--listen-metrics-urls', m.healthUrl] : [];
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  let fresh = true;

  const launch = (m: EtcdMember) => {
    const args = [
      '--name', m.name, '--data-dir', m.dataDir,
      '--listen-client-urls', m.clientUrl, '--advertise-client-urls', m.clientUrl,
      '--listen-peer-urls', m.peerUrl, '--initial-advertise-peer-urls', m.peerUrl,
      '--initial-cluster', initialCluster, '--initial-cluster-state', fresh ? 'new' : 'existing',
      '--initial-cluster-token', `skiff-test-${ports[0]}`,
      // Short heartbeats: a lost leader is replaced in about a second, which the fault tests wait for.
      '--heartbeat-interval', '100', '--election-timeout', '1000',
      // As kubeadm runs etcd: a snapshot every 10,000 entries, so the raft log a member keeps in
      // memory (every write's value) stays small (3.4's default is 100,000).
      '--snapshot-count', '10000',
      '--log-level', 'error', '--logger', 'zap',
      ...tlsArgs(m),
    ];
    const p = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
      (p as ChildProcess & { lastStderr?: string }).lastStderr = err;
    });
    m.process = p;
    return p;
  };

  const procs = members.map(launch);
  try {
    await Promise.all(members.map((m, i) => waitHealthy(m, 20_000, procs[i])));
  } catch (e) {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  fresh = false;

  const killOne = async (m: EtcdMember) => {
    const p = m.process;
    m.process = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };

  return {
    members,
    hosts: members.map((m) => new URL(m.clientUrl).host),
    endpoint: `etcd://${members.map((m) => new URL(m.clientUrl).host).join(',')}`,
    kill: (i) => killOne(members[i]),
    async pause(i) {
      const p = members[i].process;
      if (!p || p.exitCode !== null || p.pid === undefined) throw new Error(`etcd ${members[i].name} is not running`);
      const pid = p.pid;
      p.kill('SIGSTOP');
      await until(`every thread of etcd ${members[i].name} to stop`, () => allThreadsStopped(pid), { timeoutMs: 5000, intervalMs: 5 });
    },
    resume(i) {
      members[i].process?.kill('SIGCONT');
    },
    async start(i) {
      const m = members[i];
      if (m.process && m.process.exitCode === null) return;
      const p = launch(m);
      // A lone restarted member cannot report healthy without a quorum; wait for it to listen.
      const exited = await until(
        `etcd ${m.name} to listen after restart`,
        async () => {
          if (p.exitCode !== null) return { code: p.exitCode };
          await fetch(tls ? `${m.healthUrl}/health` : `${m.clientUrl}/version`, { signal: AbortSignal.timeout(500) });
          return { code: null };
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      if (exited.code !== null) throw new Error(`etcd ${m.name} exited on restart (${exited.code})`);
    },
    async rejoined(i, timeoutMs = 20_000) {
      const m = members[i];
      if (!m.process) throw new Error(`etcd ${m.name} is not running`);
      await waitHealthy(m, timeoutMs, m.process);
    },
    async stop() {
      await Promise.all(members.map(killOne));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
