// The effectful side of `skiff up --netns` / `skiff down`: namespaces, veths, the bridge, one
// dockerd per namespace (started with `nsenter --net=...`: `ip netns exec` remounts /sys and
// dockerd then fails with "Devices cgroup isn't mounted"), images copied from the machine's
// engine (there is no registry), and everything removed again.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { HostPlan, NetnsPlan } from './plan.ts';

const run = promisify(execFile);
const sh = (cmd: string, args: string[]) => run(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
const inNetns = (h: HostPlan, cmd: string[]) => sh('nsenter', [`--net=/var/run/netns/${h.netns}`, ...cmd]);

/** Traffic between the namespaces crosses the bridge; Docker's FORWARD policy would drop it. */
const BRIDGE_RULE = (bridge: string) => ['-i', bridge, '-o', bridge, '-m', 'comment', '--comment', 'skiff netns hosts', '-j', 'ACCEPT'];

export async function createNetwork(plan: NetnsPlan): Promise<void> {
  await sh('ip', ['link', 'add', plan.bridge, 'type', 'bridge']);
  await sh('ip', ['addr', 'add', `${plan.gateway}/24`, 'dev', plan.bridge]);
  await sh('ip', ['link', 'set', plan.bridge, 'up']);
  await sh('iptables', ['-w', '-N', 'DOCKER-USER']).catch(() => undefined);
  await sh('iptables', ['-w', '-I', 'DOCKER-USER', '1', ...BRIDGE_RULE(plan.bridge)]);
  for (const h of plan.hosts) {
    await sh('ip', ['netns', 'add', h.netns]);
    await sh('ip', ['link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns]);
    await sh('ip', ['link', 'set', h.veth, 'master', plan.bridge]);
    await sh('ip', ['link', 'set', h.veth, 'up']);
    await inNetns(h, ['ip', 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0']);
    await inNetns(h, ['ip', 'link', 'set', 'eth0', 'up']);
    await inNetns(h, ['ip', 'link', 'set', 'lo', 'up']);
    await inNetns(h, ['ip', 'route', 'add', 'default', 'via', plan.gateway]);
    // Each host routes: its pods' traffic to other hosts' pods goes through it.
    await inNetns(h, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  }
}

/** Starts the host's dockerd; resolves with its pid once its socket answers. */
export async function startEngine(h: HostPlan): Promise<number> {
  mkdirSync(h.dockerDir, { recursive: true });
  const log = openSync(join(h.dockerDir, 'dockerd.log'), 'a');
  const child = spawn('nsenter', [
    `--net=/var/run/netns/${h.netns}`, 'dockerd',
    '--data-root', join(h.dockerDir, 'data'), '--exec-root', join(h.dockerDir, 'exec'),
    '-H', `unix://${h.socket}`, '--pidfile', join(h.dockerDir, 'docker.pid'),
    // The engine's default bridge must not clash with the machine's engine (one kernel's routes each, but clearer apart).
    '--bip', '172.31.254.1/24',
  ], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await sh('docker', ['-H', `unix://${h.socket}`, 'version', '--format', '{{.Server.Version}}']).then(() => true, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the engine of ${h.node} did not answer within 30 s (see ${join(h.dockerDir, 'dockerd.log')})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Number(readFileSync(join(h.dockerDir, 'docker.pid'), 'utf8').trim());
}

/** Copies images from the machine's engine into the host's (docker save | docker load). */
export async function copyImages(h: HostPlan, images: string[]): Promise<void> {
  if (!images.length) return;
  await new Promise<void>((resolve, reject) => {
    const save = spawn('docker', ['save', ...images], { stdio: ['ignore', 'pipe', 'inherit'] });
    const load = spawn('docker', ['-H', `unix://${h.socket}`, 'load', '-q'], { stdio: ['pipe', 'ignore', 'inherit'] });
    save.stdout.pipe(load.stdin);
    save.on('error', reject);
    load.on('error', reject);
    load.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`loading images into ${h.node}'s engine failed (exit ${code})`))));
  });
}

/** The machine engine's skiff images (the ones test and demo pods use). */
export async function localImages(): Promise<string[]> {
  const { stdout } = await sh('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}']);
  return stdout.split('\n').filter((i) => i.startsWith('skiff/') && !i.endsWith(':<none>') && !i.startsWith('skiff/pod-holder'));
}

/** Stops the engines and removes namespaces, veths, the bridge, the rule and the engines' files. */
export async function removeHosts(plan: NetnsPlan): Promise<string[]> {
  const problems: string[] = [];
  for (const h of plan.hosts) {
    const pidFile = join(h.dockerDir, 'docker.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      // dockerd stops its containers when it shuts down (no live-restore here).
      try {
        process.kill(pid, 'SIGTERM');
        const deadline = Date.now() + 20_000;
        while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // An engine that died (SIGKILL, a crash) leaves its containers running under their shims.
    killOrphanedContainers(h.dockerDir);
    // Mounts the engine left (overlay layers, netns bind mounts) go before its files.
    await sh('sh', ['-c', `grep -o ' ${h.dockerDir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]).catch(() => undefined);
    try {
      rmSync(h.dockerDir, { recursive: true, force: true });
    } catch (err) {
      problems.push(`${h.dockerDir}: ${(err as Error).message}`);
    }
    await sh('ip', ['netns', 'del', h.netns]).catch((err: Error) => {
      if (existsSync(`/var/run/netns/${h.netns}`)) problems.push(`netns ${h.netns}: ${err.message}`);
    });
    await sh('ip', ['link', 'del', h.veth]).catch(() => undefined); // gone with the namespace
  }
  // The hosts' parent directory (dataDir/hosts) goes too.
  if (plan.hosts[0]) {
    try {
      rmSync(dirname(plan.hosts[0].dockerDir), { recursive: true, force: true });
    } catch (err) {
      problems.push(`${dirname(plan.hosts[0].dockerDir)}: ${(err as Error).message}`);
    }
  }
  await sh('iptables', ['-w', '-D', 'DOCKER-USER', ...BRIDGE_RULE(plan.bridge)]).catch(() => undefined);
  await sh('ip', ['link', 'del', plan.bridge]).catch((err: Error) => {
    if (existsSync(`/sys/class/net/${plan.bridge}`)) problems.push(`bridge ${plan.bridge}: ${err.message}`);
  });
  return problems;
}

/** Processes whose command line names a path under `dir` (the engine's shims). */
export function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').some((a) => a.startsWith(dir))) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Kills the containers (each shim's child: the init of its pid namespace) and the shims of a dead engine. */
function killOrphanedContainers(dockerDir: string): void {
  for (const shim of processesUnder(dockerDir)) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${shim}/task/${shim}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      // gone meanwhile
    }
    for (const c of children) signal(Number(c), 'SIGKILL');
    signal(shim, 'SIGKILL');
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
