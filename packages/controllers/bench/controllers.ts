// bench:controllers — a Deployment of 1,000 replicas on 100 simulated nodes, from apply to all
// available, against the floor of creating the same 1,000 pods directly through the API and
// marking them ready, in the same run; then a rolling update of the 1,000.
//
// Both runs get a fresh API server and the same in-process binder + node agent loop (binds each
// pending pod round-robin to the 100 Node objects, then marks it Running and Ready through the
// status subresource), so the difference is what the controllers add.
//
// The two are run alternately, --rounds times, and medians reported: on a shared machine one run
// of either can be off by a factor of two.
//
// Then the DaemonSet case (./daemonset.ts): a DaemonSet across --ds-nodes simulated nodes; and
// the Job case (./job.ts): a Job of --job-completions at --job-parallelism on --nodes nodes.
//
//   pnpm bench:controllers [--replicas 1000] [--nodes 100] [--rounds 3] [--ds-nodes 1000]
//                          [--job-completions 1000] [--job-parallelism 100] [--only deployment,daemonset,job]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '@skiff/api';
import { startApiServer } from '@skiff/apiserver';
import { Informer, RestClient } from '@skiff/client';
import { createControllerManager } from '../src/index.ts';
import { DEPLOYMENTS, NODES, PODS } from '../src/lib/resources.ts';
import { isReady as hasReadyCondition, startSimulatedKubelet } from '../test/harness.ts';
import { benchDaemonSet } from './daemonset.ts';
import { benchJob } from './job.ts';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1000' },
    nodes: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
    'ds-nodes': { type: 'string', default: '1000' },
    'job-completions': { type: 'string', default: '1000' },
    'job-parallelism': { type: 'string', default: '100' },
    only: { type: 'string', default: 'deployment,daemonset,job' },
  },
});
const ONLY = new Set(values.only.split(','));
const REPLICAS = Number(values.replicas);
const NODE_COUNT = Number(values.nodes);
const ROUNDS = Number(values.rounds);
process.env.NODE_ENV ??= 'production'; // no deep-freezing of cached objects

async function withServer<T>(fn: (url: string, client: RestClient) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-controllers-'));
  const server = await startApiServer({ dataDir, port: 0 });
  const client = new RestClient({ server: server.url, maxConnections: 64 });
  try {
    for (let i = 0; i < NODE_COUNT; i++) {
      await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    return await fn(server.url, client);
  } finally {
    client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Binder + node agents in one loop (the tests' simulated kubelet): pending -> bound -> Running/Ready; completes deletions. */
const nodeNames = () => Array.from({ length: NODE_COUNT }, (_, i) => `node-${i}`);
function startNodeLoop(client: RestClient): { stop(): void } {
  return startSimulatedKubelet(client, { nodes: nodeNames });
}

const isReady = (p: KubeObject) => !p.metadata.deletionTimestamp && hasReadyCondition(p);

function podTemplate(image: string) {
  return { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'web', image }] } };
}

/** The floor: the same pods created directly (64 in flight), bound and marked ready. */
async function runFloor(): Promise<number> {
  return withServer(async (_url, client) => {
    const watcher = new Informer(client, PODS, { namespace: 'default', onError: () => {} });
    let ready = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const seen = new Set<string>();
    const onPod = (p: KubeObject) => {
      if (isReady(p) && !seen.has(p.metadata.uid!)) {
        seen.add(p.metadata.uid!);
        if (++ready === REPLICAS) resolveDone();
      }
    };
    watcher.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
    watcher.start();
    await watcher.waitForSync();
    const loop = startNodeLoop(client);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < REPLICAS) {
          next++;
          const t = podTemplate('web:1');
          await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'floor-', namespace: 'default', labels: t.metadata.labels }, spec: t.spec });
        }
      }),
    );
    await done;
    const ms = performance.now() - t0;
    loop.stop();
    watcher.stop();
    return ms;
  });
}

async function waitForDeployment(client: RestClient, predicate: (d: KubeObject) => boolean): Promise<void> {
  for (;;) {
    const d = await client.get(DEPLOYMENTS, 'default', 'bench');
    if (predicate(d)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const complete = (image: string) => (d: KubeObject) => {
  const s = d.status ?? {};
  return (
    d.spec.template.spec.containers[0].image === image &&
    s.observedGeneration >= d.metadata.generation! &&
    s.updatedReplicas === REPLICAS &&
    s.replicas === REPLICAS &&
    s.availableReplicas === REPLICAS
  );
};

async function runDeployment(): Promise<{ applyMs: number; rollMs: number }> {
  return withServer(async (url, client) => {
    const loop = startNodeLoop(client);
    const manager = createControllerManager({ server: url, leaderElect: false, log: () => {}, controllers: ['replicaset', 'deployment', 'garbagecollector'] });
    await manager.start();
    await new Promise((r) => setTimeout(r, 300)); // caches synced (empty server)
    const t0 = performance.now();
    await client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench', namespace: 'default' },
      spec: { replicas: REPLICAS, selector: { matchLabels: { app: 'bench' } }, template: podTemplate('web:1') },
    });
    await waitForDeployment(client, complete('web:1'));
    const applyMs = performance.now() - t0;

    const t1 = performance.now();
    await client.patch(DEPLOYMENTS, 'default', 'bench', { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } } } }, 'strategic');
    await waitForDeployment(client, complete('web:2'));
    const rollMs = performance.now() - t1;
    await manager.stop();
    loop.stop();
    return { applyMs, rollMs };
  });
}

async function benchDeployment(): Promise<void> {
  const floors: number[] = [];
  const applies: number[] = [];
  const rolls: number[] = [];
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  for (let r = 0; r < ROUNDS; r++) {
    floors.push(await runFloor());
    const { applyMs, rollMs } = await runDeployment();
    applies.push(applyMs);
    rolls.push(rollMs);
    console.log(`  round ${r + 1}: floor ${fmt(floors[r])}, deployment ${fmt(applyMs)} (${(applyMs / floors[r]).toFixed(2)}x), rolling update ${fmt(rollMs)}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const floorMs = median(floors);
  const applyMs = median(applies);
  const rollMs = median(rolls);
  console.log(`bench:controllers  ${REPLICAS} replicas on ${NODE_COUNT} simulated nodes, median of ${ROUNDS}`);
  console.log(`  floor (create ${REPLICAS} pods directly, bind, mark ready): ${fmt(floorMs)}`);
  console.log(`  Deployment apply -> all ${REPLICAS} available:              ${fmt(applyMs)}`);
  console.log(`  ratio deployment / floor:                                 ${(applyMs / floorMs).toFixed(2)}x (aim <= 1.30x)`);
  console.log(`  rolling update of ${REPLICAS} (25% surge / 25% unavailable): ${fmt(rollMs)}`);
}

if (ONLY.has('deployment')) await benchDeployment();
if (ONLY.has('daemonset')) await benchDaemonSet(Number(values['ds-nodes']), ROUNDS, (line) => console.log(line));
if (ONLY.has('job')) await benchJob({ completions: Number(values['job-completions']), parallelism: Number(values['job-parallelism']), nodes: NODE_COUNT, rounds: ROUNDS }, (line) => console.log(line));
process.exit(0);
