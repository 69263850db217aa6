// bench:startup — how fast skiff starts pods on one Docker node, against Docker by itself.
//
// In one run, on the local Docker engine, with the same image and command:
//   1. docker:  N containers with `docker run -d`, spawning the docker CLI N at a time (all at
//               once; --parallel P for P at a time), until every CLI has returned (each returns
//               once its container is started);
//   2. skiff:   an API server, the scheduler, the controller manager and one agent (DockerRuntime)
//               in this process, as `skiff up --nodes 1` runs them; this process creates a
//               Deployment of N replicas and watches its pods until all N are Running.
// Prints both wall times and their ratio, and the pod start-up latency p50/p99: per pod, from the
// moment its creation is seen through the watch to the moment it is seen Running (also from its
// creationTimestamp, which has one-second resolution). Every container is removed at the end.
//
// Then, on the idle engine, SERIAL (default 5) containers one at a time each way: `docker run -d`
// against a bare Pod from create to Running seen through a watch (the agent's own overhead).
//
// Then, still one at a time (default 5 each, alternating): a plain pod against a pod with a
// ConfigMap, a Secret and a PersistentVolumeClaim volume (startup-volumes.ts). Aim: within 1.3x.
//
// Runs (default 3) alternate which side goes first; a summary gives the medians.
//
// Usage: pnpm bench:startup [--pods N] [--parallel P] [--runs R] [--serial S] [--volumes V]

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '@skiff/api';
import { startApiServer } from '@skiff/apiserver';
import { RestClient } from '@skiff/client';
import { createControllerManager } from '@skiff/controllers';
import { createScheduler } from '@skiff/scheduler';
import { DockerRuntime, removeAgentState, removeClusterRules, removeNodeNetwork, startAgent, type ContainerRuntime } from '../src/index.ts';
import { benchVolumeStartup, plainPod, timeToRunning, type VolumeStartup } from './startup-volumes.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = arg('--pods', 30);
const PARALLEL = arg('--parallel', N);
const RUNS = arg('--runs', 3);
const SERIAL = arg('--serial', 5);
const VOLUMES = arg('--volumes', 5);
const IMAGE = 'skiff/busybox:1';
const COMMAND = ['sleep', '1000000'];
const NODE = { name: `bench-startup-${process.pid}`, ip: '127.0.6.1' };
/** The agent's default pod range; its host rules are removed at the end. */
const CLUSTER_CIDR = '10.244.0.0/16';
const BENCH_LABEL = `dev.skiff.bench=startup-${process.pid}`;

const PODS = { group: '', version: 'v1', plural: 'pods', scope: 'Namespaced' } as const;
const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments', scope: 'Namespaced' } as const;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function removeContainers(filter: string): Promise<void> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=${filter}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length) await run('docker', ['rm', '-f', ...ids], { maxBuffer: 1 << 24 });
}

/** What the agent leaves on the host: containers, pod holders and network, claims' volumes, host rules. */
async function removeNodeState(): Promise<void> {
  await removeContainers(`dev.skiff.node=${NODE.name}`);
  await removeNodeNetwork(new DockerRuntime().engine, NODE.name);
  await removeVolumes(`dev.skiff.node=${NODE.name}`);
  await removeClusterRules(CLUSTER_CIDR);
}

/** The claims' Docker volumes the agent provisioned. */
async function removeVolumes(filter: string): Promise<void> {
  const { stdout } = await run('docker', ['volume', 'ls', '-q', '--filter', `label=${filter}`]);
  const names = stdout.split('\n').filter(Boolean);
  if (names.length) await run('docker', ['volume', 'rm', '-f', ...names]);
}

function dockerRun(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['run', '-d', '--name', name, '--label', BENCH_LABEL, IMAGE, ...COMMAND], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}: ${err}`))));
  });
}

/** Wall time of N `docker run -d`, and each one's own duration (its container's start-up latency). */
async function benchDocker(): Promise<{ wallMs: number; latencies: number[]; serial: number[] }> {
  const names = Array.from({ length: N }, (_, i) => `bench-startup-${process.pid}-${i}`);
  const latencies: number[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, N) }, async () => {
      while (next < names.length) {
        const began = performance.now();
        await dockerRun(names[next++]);
        latencies.push(performance.now() - began);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  await removeContainers(BENCH_LABEL);
  // Serial: one docker run -d at a time on the idle engine.
  const serial: number[] = [];
  for (let i = 0; i < SERIAL; i++) {
    const began = performance.now();
    await dockerRun(`bench-startup-${process.pid}-serial-${i}`);
    serial.push(performance.now() - began);
  }
  await removeContainers(BENCH_LABEL);
  return { wallMs, latencies: latencies.sort((a, b) => a - b), serial: serial.sort((a, b) => a - b) };
}

/** Wraps a runtime to time each of its calls (where the agent's per-pod time goes). */
function timed(runtime: ContainerRuntime, calls: Map<string, number[]>): ContainerRuntime {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return async (...a: unknown[]) => {
        const began = performance.now();
        try {
          return await (v as (...x: unknown[]) => Promise<unknown>).apply(target, a);
        } finally {
          const list = calls.get(prop) ?? [];
          list.push(performance.now() - began);
          calls.set(prop, list);
        }
      };
    },
  });
}

interface SkiffResult {
  wallMs: number;
  /** Per pod: creation seen through the watch -> Running seen through the watch. */
  latencies: number[];
  /** Per pod: creationTimestamp (1 s resolution) -> Running seen through the watch. */
  fromTimestamp: number[];
  phases: Record<string, number[]>;
  calls: Map<string, number[]>;
  /** CPU time of this process (API server, scheduler, controllers, agent) while the pods started. */
  cpuMs: number;
  /** One pod at a time on an idle engine: create sent -> Running seen through a watch. */
  serial: number[];
  /** One at a time: plain pods against pods with a ConfigMap, a Secret and a PVC volume. */
  volumes: VolumeStartup;
}

async function benchSkiff(): Promise<SkiffResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-startup-'));
  const quiet = () => undefined;
  const server = await startApiServer({ dataDir, host: '127.0.0.1', port: 0 });
  const scheduler = createScheduler({ server: server.url, endpoint: false, leaderElection: false, log: quiet });
  const manager = createControllerManager({ server: server.url, leaderElect: false, log: quiet });
  const client = new RestClient({ server: server.url, userAgent: 'bench-startup' });
  const calls = new Map<string, number[]>();
  await scheduler.start();
  await manager.start();
  const agent = await startAgent({ server: server.url, nodeName: NODE.name, nodeIP: NODE.ip, runtime: timed(new DockerRuntime(), calls), port: 0, clusterCIDR: CLUSTER_CIDR, rootDir: join(dataDir, 'agent'), log: (m) => process.stderr.write(`agent: ${m}\n`) });
  // Wait until the node is Ready (the scheduler needs it).
  for (;;) {
    const node = await client.get({ group: '', version: 'v1', plural: 'nodes', scope: 'Cluster' }, undefined, NODE.name).catch(() => undefined);
    if ((node?.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  const seen = new Map<string, { created: number; stamp: number; scheduled?: number; running?: number }>();
  let resolveAll!: () => void;
  const allRunning = new Promise<void>((r) => (resolveAll = r));
  const watch = client.watch(PODS, { namespace: 'default', labelSelector: 'app=bench' }, (e) => {
    const now = performance.now();
    const pod = e.object as KubeObject;
    const uid = pod.metadata.uid!;
    let s = seen.get(uid);
    if (!s) {
      s = { created: now, stamp: Date.parse(pod.metadata.creationTimestamp!) - Date.now() + now };
      seen.set(uid, s);
    }
    if (s.scheduled === undefined && pod.spec?.nodeName) s.scheduled = now;
    if (s.running === undefined && pod.status?.phase === 'Running') {
      s.running = now;
      if ([...seen.values()].filter((x) => x.running !== undefined).length === N) resolveAll();
    }
  }, (err) => err && process.stderr.write(`watch ended: ${err.message}\n`));
  await new Promise((r) => setTimeout(r, 200)); // the watch is established
  calls.clear(); // only the calls made while the pods start

  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas: N,
      selector: { matchLabels: { app: 'bench' } },
      template: { metadata: { labels: { app: 'bench' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: IMAGE, command: COMMAND }] } },
    },
  } as unknown as KubeObject;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await client.create(DEPLOYMENTS, deployment);
  const timeout = setTimeout(() => {
    process.stderr.write(`timed out: ${[...seen.values()].filter((x) => x.running).length}/${N} running\n`);
    process.exit(1);
  }, 120_000);
  await allRunning;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearTimeout(timeout);
  watch.abort();

  const stats = [...seen.values()];
  const snapshot = new Map([...calls].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
  const result: SkiffResult = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    serial: [],
    volumes: { plain: [], volumes: [] },
    calls: snapshot,
    wallMs,
    latencies: stats.map((s) => s.running! - s.created).sort((a, b) => a - b),
    fromTimestamp: stats.map((s) => s.running! - s.stamp).sort((a, b) => a - b),
    phases: {
      'create (after apply)': stats.map((s) => s.created - t0).sort((a, b) => a - b),
      'create -> bound': stats.map((s) => (s.scheduled ?? s.running!) - s.created).sort((a, b) => a - b),
      'bound -> Running': stats.map((s) => s.running! - (s.scheduled ?? s.created)).sort((a, b) => a - b),
    },
  };

  // Serial: one bare pod at a time on the now idle engine (what the agent adds to one start).
  const serial: number[] = [];
  for (let i = 0; i < SERIAL; i++) serial.push(await timeToRunning(client, [plainPod(`serial-${i}`, { image: IMAGE, command: COMMAND })]));
  result.serial = serial.sort((a, b) => a - b);
  if (VOLUMES > 0) result.volumes = await benchVolumeStartup(client, VOLUMES, { image: IMAGE, command: COMMAND });

  await agent.stop();
  await scheduler.stop();
  await manager.stop();
  client.close();
  await removeNodeState();
  await server.close();
  await removeAgentState(join(dataDir, 'agent'));
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  await run('docker', ['image', 'inspect', IMAGE]).catch(() => {
    throw new Error(`image ${IMAGE} is missing: source scripts/lib/docker.sh && ensure_test_images`);
  });
  console.log(`bench:startup — ${N} containers of ${IMAGE} (${COMMAND.join(' ')}) on one Docker node; docker run -d ${PARALLEL >= N ? 'all at once' : `${PARALLEL} at a time`}`);
  // One container first so that both measurements find a warm engine (image layers cached).
  await run('docker', ['run', '--rm', IMAGE, 'true']);
  const summary = { docker: [] as number[], skiff: [] as number[], ratio: [] as number[], latencies: [] as number[], dockerEach: [] as number[], plain: [] as number[], withVolumes: [] as number[] };
  for (let r = 0; r < RUNS; r++) {
    // Alternate which goes first, so that neither always meets the engine in the same state.
    let dockerRes: Awaited<ReturnType<typeof benchDocker>>;
    let skiff: SkiffResult;
    if (r % 2 === 0) {
      dockerRes = await benchDocker();
      skiff = await benchSkiff();
    } else {
      skiff = await benchSkiff();
      dockerRes = await benchDocker();
    }
    const dockerMs = dockerRes.wallMs;
    summary.docker.push(dockerMs);
    summary.skiff.push(skiff.wallMs);
    summary.ratio.push(skiff.wallMs / dockerMs);
    summary.latencies.push(...skiff.latencies);
    summary.dockerEach.push(...dockerRes.latencies);
    console.log(`\nrun ${r + 1}/${RUNS} (${r % 2 === 0 ? 'docker first' : 'skiff first'})`);
    console.log(`  docker run -d x${N}:            ${fmt(dockerMs)}   each docker run -d: p50 ${fmt(percentile(dockerRes.latencies, 50))}  p99 ${fmt(percentile(dockerRes.latencies, 99))}`);
    console.log(`  skiff Deployment x${N} Running: ${fmt(skiff.wallMs)}   ratio ${(skiff.wallMs / dockerMs).toFixed(2)}x (aim <= 1.2x); skiff's own CPU meanwhile ${fmt(skiff.cpuMs)} (API server, scheduler, controllers, agent)`);
    console.log(`  pod start-up latency, created -> Running (watch):  p50 ${fmt(percentile(skiff.latencies, 50))}  p99 ${fmt(percentile(skiff.latencies, 99))}  max ${fmt(skiff.latencies[skiff.latencies.length - 1])}`);
    console.log(`  from creationTimestamp (1 s resolution):           p50 ${fmt(percentile(skiff.fromTimestamp, 50))}  p99 ${fmt(percentile(skiff.fromTimestamp, 99))}`);
    for (const [phase, xs] of Object.entries(skiff.phases)) console.log(`    ${phase.padEnd(22)} p50 ${fmt(percentile(xs, 50))}  p99 ${fmt(percentile(xs, 99))}`);
    if (SERIAL > 0) console.log(`  one at a time on the idle engine (x${SERIAL}): docker run -d p50 ${fmt(percentile(dockerRes.serial, 50))} max ${fmt(dockerRes.serial[SERIAL - 1])};  skiff pod created -> Running p50 ${fmt(percentile(skiff.serial, 50))} max ${fmt(skiff.serial[SERIAL - 1])}`);
    if (VOLUMES > 0) {
      const v = skiff.volumes;
      summary.plain.push(...v.plain);
      summary.withVolumes.push(...v.volumes);
      console.log(`  one at a time (x${VOLUMES} each): plain pod p50 ${fmt(percentile(v.plain, 50))} max ${fmt(v.plain[VOLUMES - 1])};  with ConfigMap + Secret + PVC volumes p50 ${fmt(percentile(v.volumes, 50))} max ${fmt(v.volumes[VOLUMES - 1])};  ratio of p50s ${(percentile(v.volumes, 50) / percentile(v.plain, 50)).toFixed(2)}x (aim <= 1.3x)`);
    }
    console.log('  agent runtime calls while the Deployment starts (count, p50, p99, sum):');
    for (const [call, xs] of skiff.calls) console.log(`    ${call.padEnd(12)} ${String(xs.length).padStart(4)}  p50 ${fmt(percentile(xs, 50))}  p99 ${fmt(percentile(xs, 99))}  sum ${fmt(xs.reduce((a, b) => a + b, 0))}`);
  }
  if (RUNS > 1) {
    const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    const all = summary.latencies.sort((a, b) => a - b);
    const each = summary.dockerEach.sort((a, b) => a - b);
    console.log(`\nsummary over ${RUNS} runs (medians): docker ${fmt(med(summary.docker))}, skiff ${fmt(med(summary.skiff))}, ratio ${med(summary.ratio).toFixed(2)}x (runs: ${summary.ratio.map((x) => x.toFixed(2)).join(', ')})`);
    console.log(`  pod start-up latency over all ${all.length} pods: p50 ${fmt(percentile(all, 50))}  p99 ${fmt(percentile(all, 99))};  each docker run -d: p50 ${fmt(percentile(each, 50))}  p99 ${fmt(percentile(each, 99))}`);
    if (VOLUMES > 0) {
      const plain = med(summary.plain);
      const withVolumes = med(summary.withVolumes);
      console.log(`  one at a time over all runs (x${summary.plain.length} each): plain pod p50 ${fmt(plain)}, with ConfigMap + Secret + PVC volumes p50 ${fmt(withVolumes)}, ratio ${(withVolumes / plain).toFixed(2)}x (aim <= 1.3x)`);
    }
  }
}

main().then(
  () => process.exit(0),
  async (err: Error) => {
    console.error(err.stack ?? err.message);
    await removeContainers(BENCH_LABEL).catch(() => undefined);
    await removeNodeState().catch(() => undefined);
    process.exit(1);
  },
);
