// bench:scheduler — how fast pods get placed through the real API server.
//
// For each size (N nodes x M pods): a fresh API server (own process) gets N Node objects, then
//   1. bare:      this process creates the M pods and binds each, as soon as it is created, to a
//                 node round-robin (through a pool as large as the scheduler's binding pool):
//                 the same writes with no scheduling decision, the API server's own ceiling;
//   2. scheduled: on another fresh server, the scheduler (own process, as `skiff scheduler`)
//                 places the M pods while this process creates them as fast as the server takes.
// Then 3. the decisions alone, in this process, without the API server: what scheduling costs.
// Throughput is pods bound per second from the first create to the last binding seen through a
// watch; latency is per pod, from its create being sent to its binding seen through the watch.
//
// At the largest size the same run then schedules two constrained workloads against the plain
// pods (the shapes of kube-scheduler's scheduler_perf cases):
//   - anti-affinity: groups of 50 pods, each pod with required anti-affinity to its group per
//     hostname (SchedulingPodAntiAffinity; its CI floor is 60 pods/s at 5,000 nodes);
//   - spread: DoNotSchedule maxSkew 5 by hostname and by zone over 3 zones (TopologySpreading;
//     its CI floor is 460 pods/s at 5,000 nodes).
//
// And 4. the preemption check of a pod that fits nowhere, in this process: every node full of
// pods of the pod's own priority, so no node has a victim; time per attempt of PostFilter.
//
// Usage: pnpm bench:scheduler [--quick] [--nodes N --pods M] [--concurrency C] [--no-constrained] [--preemption-only]

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '@skiff/api';
import { Informer, RestClient } from '@skiff/client';
import { SchedulerCache } from '../src/cache.ts';
import { defaultConfig } from '../src/config.ts';
import { computePodInfo } from '../src/model/pod-info.ts';
import type { Node, Pod } from '../src/model/types.ts';
import { computePlacement } from '../src/pipeline.ts';
import { computePreemption } from '../src/preemption.ts';
import { BIND_CONNECTIONS } from '../src/scheduler.ts';
import { buildProfile } from '../src/profile.ts';
import { startChildServer } from '@skiff/apiserver/testing';
import { makeNode, makePod } from '../src/testing/fixtures.ts';
import { forEachLimit, NODES, PODS } from '../src/testing/harness.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : undefined;
};
const CONCURRENCY = arg('--concurrency') ?? 32;
const sizes: [number, number][] =
  arg('--nodes') && arg('--pods')
    ? [[arg('--nodes')!, arg('--pods')!]]
    : args.includes('--quick')
      ? [[100, 500], [500, 2000]]
      : [[1000, 5000], [5000, 10000]];

interface Child {
  proc: ChildProcess;
  line: string;
}

/** Peak resident memory of a child in MiB, from /proc (Linux); NaN elsewhere. */
function peakMiB(proc: ChildProcess): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a child has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(proc: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function spawnChild(script: string, arg: string, ready: RegExp): Promise<Child> {
  const child = await startChildServer([join(here, script), arg], { stderr: 'inherit', ready: (out) => ready.exec(out)?.[1], timeoutMs: 60_000 });
  return { proc: child.proc, line: child.ready };
}

async function withServer<T>(fn: (url: string, server: Child) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-sched-'));
  const server = await spawnChild('run-apiserver.ts', dir, /listening on (\S+)\s/);
  try {
    return await fn(server.line, server);
  } finally {
    server.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

// Like scheduler_perf's SchedulingBasic: 4 cores, 32Gi, 110 pods a node; pods ask 100m / 500Mi.
// Nodes are in three zones (which only the spread workload reads).
const node = (i: number) => makeNode(`node-${i}`, { cpu: '4', memory: '32Gi', pods: 110, labels: { 'topology.kubernetes.io/zone': `moon-${i % 3}` } }) as KubeObject;
type PodMaker = (i: number) => KubeObject;
const plain: PodMaker = (i) => makePod(`pod-${i}`, { cpu: '100m', memory: '500Mi' }) as KubeObject;
const GROUP = 50;
const antiAffinity: PodMaker = (i) => {
  const group = { group: `g${Math.floor(i / GROUP)}` };
  const affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: group }, topologyKey: 'kubernetes.io/hostname' }] } };
  return makePod(`pod-${i}`, { cpu: '100m', memory: '500Mi', labels: group, spec: { affinity } as Partial<Pod['spec']> }) as KubeObject;
};
const spread: PodMaker = (i) => {
  const labels = { color: 'blue' };
  const constraint = (topologyKey: string) => ({ maxSkew: 5, topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } });
  return makePod(`pod-${i}`, { cpu: '100m', memory: '500Mi', labels, spec: { topologySpreadConstraints: [constraint('kubernetes.io/hostname'), constraint('topology.kubernetes.io/zone')] } as Partial<Pod['spec']> }) as KubeObject;
};

interface Result {
  /** CPU seconds of the API server (and the scheduler) during the measured part. */
  apiserverCpu: number;
  schedulerCpu: number;
  podsPerSecond: number;
  seconds: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Creates the nodes, then runs `drive` while a watch times every pod's binding. */
async function measure(
  url: string,
  numNodes: number,
  numPods: number,
  drive: (client: RestClient, sent: Float64Array) => Promise<void>,
  procs: { apiserver: Child; scheduler?: () => Child | undefined; before?: () => Promise<void> },
): Promise<Result> {
  const client = new RestClient({ server: url, maxConnections: CONCURRENCY * 2 });
  await forEachLimit(Array.from({ length: numNodes }, (_, i) => i), 64, (i) => client.create(NODES, node(i)));
  await procs.before?.();
  const sent = new Float64Array(numPods);
  const boundAt = new Float64Array(numPods);
  let bound = 0;
  let done: () => void = () => {};
  const allBound = new Promise<void>((r) => (done = r));
  const watch = new Informer<KubeObject>(client, PODS, { fieldSelector: 'spec.nodeName!=', freeze: false, onError: () => {} });
  const seen = (p: KubeObject) => {
    const i = Number(p.metadata.name!.slice(4));
    if (boundAt[i] !== 0) return;
    boundAt[i] = performance.now();
    if (++bound === numPods) done();
  };
  watch.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
  watch.start();
  await watch.waitForSync();
  const cpu0 = [cpuSeconds(procs.apiserver.proc), procs.scheduler?.() ? cpuSeconds(procs.scheduler()!.proc) : 0];
  const start = performance.now();
  await drive(client, sent);
  await allBound;
  const end = Math.max(...boundAt);
  const apiserverCpu = cpuSeconds(procs.apiserver.proc) - cpu0[0];
  const schedulerCpu = procs.scheduler?.() ? cpuSeconds(procs.scheduler()!.proc) - cpu0[1] : 0;
  watch.stop();
  client.close();
  const latencies = Array.from(boundAt, (t, i) => t - sent[i]).sort((a, b) => a - b);
  return { apiserverCpu, schedulerCpu, podsPerSecond: numPods / ((end - start) / 1000), seconds: (end - start) / 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function bare(numNodes: number, numPods: number, pod: PodMaker = plain): Promise<Result> {
  return withServer((url, apiserver) =>
    measure(
      url,
      numNodes,
      numPods,
      async (client, sent) => {
        // Shaped like the scheduled run: CONCURRENCY writers create, and each created pod is
        // bound at once through a pool as large as the scheduler's.
        const binder = new RestClient({ server: url, maxConnections: BIND_CONNECTIONS });
        const binds: Promise<unknown>[] = [];
        await forEachLimit(Array.from({ length: numPods }, (_, i) => i), CONCURRENCY, async (i) => {
          sent[i] = performance.now();
          await client.create(PODS, pod(i));
          binds.push(binder.bind('default', `pod-${i}`, `node-${i % numNodes}`));
        });
        await Promise.all(binds);
        binder.close();
      },
      { apiserver },
    ),
  );
}

async function scheduled(numNodes: number, numPods: number, pod: PodMaker = plain): Promise<Result & { droppedEvents: string; schedulerMiB: number }> {
  return withServer(async (url, apiserver) => {
    let scheduler: Child | undefined;
    try {
      const r = await measure(
        url,
        numNodes,
        numPods,
        (client, sent) =>
          forEachLimit(Array.from({ length: numPods }, (_, i) => i), CONCURRENCY, async (i) => {
            sent[i] = performance.now();
            await client.create(PODS, pod(i));
          }),
        {
          apiserver,
          scheduler: () => scheduler,
          // Started once the nodes exist, as a scheduler joining a running cluster would.
          before: async () => {
            scheduler = await spawnChild('run-scheduler.ts', url, /ready (\S+)\s/);
          },
        },
      );
      const metrics = await (await fetch(`${scheduler!.line}/metrics`)).text();
      const dropped = /scheduler_events_dropped_total (\d+)/.exec(metrics)?.[1] ?? '?';
      return { ...r, droppedEvents: dropped, schedulerMiB: peakMiB(scheduler!.proc) };
    } finally {
      scheduler?.proc.kill('SIGKILL');
    }
  });
}

/** The decisions alone, in this process: the pipeline and the cache, no API server, no I/O. */
function decisionsOnly(numNodes: number, numPods: number, pod: PodMaker = plain): { podsPerSecond: number; p50: number; p99: number } {
  const cache = new SchedulerCache();
  for (let i = 0; i < numNodes; i++) cache.addOrUpdateNode(node(i) as Node);
  const profile = buildProfile(defaultConfig());
  const infos = Array.from({ length: numPods }, (_, i) => computePodInfo(pod(i) as Pod));
  const took: number[] = [];
  let start = 0;
  const t0 = performance.now();
  for (const info of infos) {
    const t = performance.now();
    const p = computePlacement({ pod: info, nodes: cache.nodeList(), profile, percentageOfNodesToScore: 0, startIndex: start, random: Math.random });
    start = p.nextStartIndex;
    cache.assume(info, p.node!);
    took.push(performance.now() - t);
  }
  const seconds = (performance.now() - t0) / 1000;
  took.sort((a, b) => a - b);
  return { podsPerSecond: numPods / seconds, p50: percentile(took, 50), p99: percentile(took, 99) };
}

/**
 * PostFilter for a pod that fits nowhere while no node has a pod of lower priority: the cost each
 * unschedulable attempt pays. Returns microseconds per attempt (median of `attempts`).
 */
function preemptionCheck(numNodes: number, numPods: number, attempts = 50): { p50: number } {
  const cache = new SchedulerCache();
  for (let i = 0; i < numNodes; i++) cache.addOrUpdateNode(node(i) as Node);
  for (let i = 0; i < numPods; i++) cache.assume(computePodInfo(plain(i) as Pod), `node-${i % numNodes}`);
  const profile = buildProfile(defaultConfig());
  const big = computePodInfo(makePod('too-big', { cpu: '64' }) as Pod);
  const placement = computePlacement({ pod: big, nodes: cache.nodeList(), profile, percentageOfNodesToScore: 0, startIndex: 0, random: Math.random });
  const took: number[] = [];
  for (let a = 0; a < attempts; a++) {
    const t = performance.now();
    const plan = computePreemption({ pod: big, nodes: cache.nodeList(), filters: profile.filters, rejected: placement.explanation.rejected });
    took.push(performance.now() - t);
    if (plan) throw new Error('bench: found victims where there are none');
  }
  took.sort((x, y) => x - y);
  return { p50: percentile(took, 50) * 1000 };
}

const fmt = (n: number, d = 0) => n.toFixed(d);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`bench:scheduler — ${sizes.map(([n, m]) => `${n} nodes x ${m} pods`).join(', ')}; ${CONCURRENCY} concurrent writers; load average ${load()}`);
for (const [numNodes, numPods] of sizes) {
  const pre = preemptionCheck(numNodes, numPods);
  console.log(`\n${numNodes} nodes x ${numPods} pods: preemption check of a pod that fits nowhere, no lower-priority pod anywhere: ${fmt(pre.p50)} µs an attempt (median of 50)`);
  if (args.includes('--preemption-only')) continue;
  const d = decisionsOnly(numNodes, numPods);
  const b = await bare(numNodes, numPods);
  const s = await scheduled(numNodes, numPods);
  console.log(`\n${numNodes} nodes x ${numPods} pods (load average now ${load()})`);
  console.log(`  bare API server (create + bind, no decision): ${fmt(b.podsPerSecond)} pods/s  (${fmt(b.seconds, 1)} s; latency p50 ${fmt(b.p50)} ms, p99 ${fmt(b.p99)} ms; API server CPU ${fmt(b.apiserverCpu, 1)} s)`);
  console.log(`  with the scheduler:                          ${fmt(s.podsPerSecond)} pods/s  (${fmt(s.seconds, 1)} s; latency p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms; API server CPU ${fmt(s.apiserverCpu, 1)} s, scheduler CPU ${fmt(s.schedulerCpu, 1)} s, peak RSS ${fmt(s.schedulerMiB)} MiB; events dropped ${s.droppedEvents})`);
  console.log(`  scheduled / bare: ${fmt(s.podsPerSecond / b.podsPerSecond, 2)}`);
  console.log(`  decisions alone (filter + score + assume, in process): ${fmt(d.podsPerSecond)} pods/s (p50 ${fmt(d.p50 * 1000)} µs, p99 ${fmt(d.p99 * 1000)} µs a pod)`);
  if (numNodes !== sizes[sizes.length - 1][0] || args.includes('--no-constrained')) continue;
  for (const [name, maker, floor] of [['anti-affinity (groups of 50, per hostname)', antiAffinity, 60], ['spread (maxSkew 5 by hostname and zone)', spread, 460]] as const) {
    const dc = decisionsOnly(numNodes, numPods, maker);
    const sc = await scheduled(numNodes, numPods, maker);
    console.log(`  ${name}:`);
    console.log(`    with the scheduler: ${fmt(sc.podsPerSecond)} pods/s (${fmt(sc.seconds, 1)} s; latency p50 ${fmt(sc.p50)} ms, p99 ${fmt(sc.p99)} ms; scheduler CPU ${fmt(sc.schedulerCpu, 1)} s, peak RSS ${fmt(sc.schedulerMiB)} MiB)`);
    console.log(`    against the plain pods scheduled: ${fmt(sc.podsPerSecond / s.podsPerSecond, 2)}; kube-scheduler's CI floor for this shape: ${floor} pods/s`);
    console.log(`    decisions alone: ${fmt(dc.podsPerSecond)} pods/s (p50 ${fmt(dc.p50 * 1000)} µs, p99 ${fmt(dc.p99 * 1000)} µs a pod); against plain ${fmt(dc.podsPerSecond / d.podsPerSecond, 2)}`);
  }
}
