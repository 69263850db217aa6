// bench:controllers, Job case: a Job of --job-completions (default 1,000) at --job-parallelism
// (default 100) on simulated nodes, from create to Complete, against the floor of the same pods
// (the Job's pods, without owner and job-tracking finalizer) created directly through the API, at
// most `parallelism` at a time, each replaced as it finishes.
//
// Both runs get a fresh API server with the nodes registered and the same in-process binder +
// node agent loop (the tests' simulated kubelet in `complete` mode: binds each pending pod
// round-robin and marks it Succeeded with exit code 0), so the difference is what the Job
// controller adds: its slow-start batches, the job-tracking finalizer (status write, then one
// finalizer patch per pod), and its status writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, type KubeObject } from '@skiff/api';
import { startApiServer } from '@skiff/apiserver';
import { Informer, RestClient } from '@skiff/client';
import { createControllerManager } from '../src/index.ts';
import { computeJobPod } from '../src/job/pod-template.ts';
import { JOBS, NODES, PODS } from '../src/lib/resources.ts';
import { startSimulatedKubelet } from '../test/harness.ts';

export interface JobBenchOptions {
  completions: number;
  parallelism: number;
  nodes: number;
  rounds: number;
}

export interface JobBenchResult {
  floorMs: number;
  jobMs: number;
}

const POD_SPEC = { restartPolicy: 'Never', containers: [{ name: 'work', image: 'work:1' }] };

/** The pod the Job controller makes for the bench Job (its template as the API server stores it), without owner and finalizer. */
function floorPod(): KubeObject {
  const uid = '00000000-0000-0000-0000-000000000000';
  const labels = { app: 'bench-job', [JOB_CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: 'bench', [LEGACY_JOB_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: 'bench' };
  const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bench', namespace: 'default', uid }, spec: { template: { metadata: { labels }, spec: POD_SPEC } } };
  const pod = computeJobPod(job);
  delete pod.metadata.ownerReferences;
  delete pod.metadata.finalizers;
  return pod;
}

async function withNodes<T>(nodeCount: number, fn: (url: string, client: RestClient, nodes: string[]) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-job-'));
  const server = await startApiServer({ dataDir, port: 0 });
  const client = new RestClient({ server: server.url, maxConnections: 64 });
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node-${i}`);
  try {
    for (const name of nodes) {
      await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    return await fn(server.url, client, nodes);
  } finally {
    client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The floor: `parallelism` workers, each creating a pod and waiting until it has succeeded before
 * creating the next, until `completions` pods have succeeded.
 */
async function runFloor(o: JobBenchOptions): Promise<number> {
  return withNodes(o.nodes, async (_url, client, nodes) => {
    const informer = new Informer(client, PODS, { namespace: 'default', onError: () => {} });
    const waiting = new Map<string, () => void>();
    const done = new Set<string>();
    const onPod = (p: KubeObject) => {
      if (p.status?.phase !== 'Succeeded' || done.has(p.metadata.name!)) return;
      done.add(p.metadata.name!);
      waiting.get(p.metadata.name!)?.();
    };
    informer.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
    informer.start();
    await informer.waitForSync();
    const loop = startSimulatedKubelet(client, { nodes: () => nodes, complete: true });
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: o.parallelism }, async () => {
        while (next < o.completions) {
          const pod = floorPod();
          const name = (pod.metadata.name = `bench-${next++}`);
          delete pod.metadata.generateName;
          const finished = new Promise<void>((r) => waiting.set(name, r));
          await client.create(PODS, pod);
          if (!done.has(name)) await finished;
          waiting.delete(name);
        }
      }),
    );
    const ms = performance.now() - t0;
    loop.stop();
    informer.stop();
    return ms;
  });
}

/** The Job: create, then wait (on a watch of Jobs) for its Complete condition with every completion counted. */
async function runJob(o: JobBenchOptions): Promise<number> {
  return withNodes(o.nodes, async (url, client, nodes) => {
    const loop = startSimulatedKubelet(client, { nodes: () => nodes, complete: true });
    const manager = createControllerManager({ server: url, leaderElect: false, log: () => {}, controllers: ['job'] });
    await manager.start();
    await new Promise((r) => setTimeout(r, 300)); // caches synced (empty server)
    const informer = new Informer(client, JOBS, { namespace: 'default', onError: () => {} });
    let resolve!: () => void;
    const complete = new Promise<void>((r) => (resolve = r));
    const onJob = (j: KubeObject) => {
      const done = (j.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True');
      if (done && j.status?.succeeded === o.completions) resolve();
    };
    informer.addEventHandler({ onAdd: onJob, onUpdate: (_o, j) => onJob(j) });
    informer.start();
    await informer.waitForSync();
    const t0 = performance.now();
    await client.create(JOBS, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'bench', namespace: 'default' },
      spec: { completions: o.completions, parallelism: o.parallelism, template: { metadata: { labels: { app: 'bench-job' } }, spec: POD_SPEC } },
    });
    await complete;
    const ms = performance.now() - t0;
    informer.stop();
    await manager.stop();
    loop.stop();
    return ms;
  });
}

/** Alternates floor and Job runs `rounds` times; returns the medians. */
export async function benchJob(o: JobBenchOptions, print: (line: string) => void): Promise<JobBenchResult> {
  const floors: number[] = [];
  const runs: number[] = [];
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  for (let r = 0; r < o.rounds; r++) {
    floors.push(await runFloor(o));
    runs.push(await runJob(o));
    print(`  round ${r + 1}: floor ${fmt(floors[r])}, job ${fmt(runs[r])} (${(runs[r] / floors[r]).toFixed(2)}x)`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const floorMs = median(floors);
  const jobMs = median(runs);
  print(`bench:controllers  Job of ${o.completions} completions at parallelism ${o.parallelism} on ${o.nodes} simulated nodes, median of ${o.rounds}`);
  print(`  floor (create the pods directly, ${o.parallelism} at a time, bind, complete): ${fmt(floorMs)}`);
  print(`  Job create -> Complete with ${o.completions} succeeded:                    ${fmt(jobMs)}`);
  print(`  ratio job / floor:                                                   ${(jobMs / floorMs).toFixed(2)}x (aim <= 1.50x)`);
  return { floorMs, jobMs };
}

// Run alone: node packages/controllers/bench/job.ts [completions] [parallelism] [rounds]
if (process.argv[1]?.endsWith('job.ts')) {
  process.env.NODE_ENV ??= 'production';
  await benchJob({ completions: Number(process.argv[2] ?? 1000), parallelism: Number(process.argv[3] ?? 100), nodes: 100, rounds: Number(process.argv[4] ?? 3) }, (line) => console.log(line));
  process.exit(0);
}
