// bench:controllers, DaemonSet case: a DaemonSet across --ds-nodes simulated nodes (default
// 1,000), from create to all available, against the floor of the same daemon pods (node affinity
// on each node's name, the daemon tolerations) created directly through the API and readied.
//
// Both runs get a fresh API server with the nodes registered and the same in-process binder +
// node agent loop (the tests' simulated kubelet binds each pod to the node its affinity names and
// marks it Running and Ready), so the difference is what the DaemonSet controller adds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@skiff/api';
import { startApiServer } from '@skiff/apiserver';
import { Informer, RestClient } from '@skiff/client';
import { createControllerManager } from '../src/index.ts';
import { computeDaemonPod } from '../src/daemonset/plan.ts';
import { DAEMON_SETS, NODES, PODS } from '../src/lib/resources.ts';
import { isReady, startSimulatedKubelet } from '../test/harness.ts';

export interface DaemonSetBenchResult {
  floorMs: number;
  daemonSetMs: number;
}

const DS: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'bench', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'bench-ds' } }, template: { metadata: { labels: { app: 'bench-ds' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } } },
};

async function withNodes<T>(nodeCount: number, fn: (url: string, client: RestClient, nodes: string[]) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-daemonset-'));
  const server = await startApiServer({ dataDir, port: 0 });
  const client = new RestClient({ server: server.url, maxConnections: 64 });
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node-${i}`);
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < nodes.length) {
          const name = nodes[next++];
          await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
        }
      }),
    );
    return await fn(server.url, client, nodes);
  } finally {
    client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Resolves when `count` distinct pods have been seen ready. */
function readyCounter(client: RestClient, count: number): { informer: Informer; done: Promise<void> } {
  const informer = new Informer(client, PODS, { namespace: 'default', onError: () => {} });
  const seen = new Set<string>();
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const onPod = (p: KubeObject) => {
    if (!p.metadata.deletionTimestamp && isReady(p) && !seen.has(p.metadata.uid!)) {
      seen.add(p.metadata.uid!);
      if (seen.size === count) resolve();
    }
  };
  informer.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
  return { informer, done };
}

async function runFloor(nodeCount: number): Promise<number> {
  return withNodes(nodeCount, async (_url, client, nodes) => {
    const { informer, done } = readyCounter(client, nodes.length);
    informer.start();
    await informer.waitForSync();
    const loop = startSimulatedKubelet(client, { nodes: () => nodes });
    // The daemon pods as the controller would make them, without an owner.
    const template: KubeObject = { ...DS, metadata: { ...DS.metadata, uid: 'floor', generation: 1 } };
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < nodes.length) {
          const pod = computeDaemonPod(template, nodes[next++], 'floor');
          delete pod.metadata.ownerReferences;
          await client.create(PODS, pod);
        }
      }),
    );
    await done;
    const ms = performance.now() - t0;
    loop.stop();
    informer.stop();
    return ms;
  });
}

async function runDaemonSet(nodeCount: number): Promise<number> {
  return withNodes(nodeCount, async (url, client, nodes) => {
    const loop = startSimulatedKubelet(client, { nodes: () => nodes });
    const manager = createControllerManager({ server: url, leaderElect: false, log: () => {}, controllers: ['daemonset'] });
    await manager.start();
    await new Promise((r) => setTimeout(r, 500)); // caches synced (nodes only)
    const t0 = performance.now();
    await client.create(DAEMON_SETS, DS);
    for (;;) {
      const ds = await client.get(DAEMON_SETS, 'default', 'bench');
      const s = ds.status ?? {};
      if (s.observedGeneration >= ds.metadata.generation! && s.desiredNumberScheduled === nodes.length && s.numberAvailable === nodes.length && s.updatedNumberScheduled === nodes.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const ms = performance.now() - t0;
    await manager.stop();
    loop.stop();
    return ms;
  });
}

/** Alternates floor and DaemonSet runs `rounds` times; returns the medians. */
export async function benchDaemonSet(nodeCount: number, rounds: number, print: (line: string) => void): Promise<DaemonSetBenchResult> {
  const floors: number[] = [];
  const runs: number[] = [];
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  for (let r = 0; r < rounds; r++) {
    floors.push(await runFloor(nodeCount));
    runs.push(await runDaemonSet(nodeCount));
    print(`  round ${r + 1}: floor ${fmt(floors[r])}, daemonset ${fmt(runs[r])} (${(runs[r] / floors[r]).toFixed(2)}x)`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const floorMs = median(floors);
  const daemonSetMs = median(runs);
  print(`bench:controllers  DaemonSet on ${nodeCount} simulated nodes, median of ${rounds}`);
  print(`  floor (create the ${nodeCount} daemon pods directly, bind, mark ready): ${fmt(floorMs)}`);
  print(`  DaemonSet create -> all ${nodeCount} available:                       ${fmt(daemonSetMs)}`);
  print(`  ratio daemonset / floor:                                          ${(daemonSetMs / floorMs).toFixed(2)}x (aim <= 1.50x)`);
  return { floorMs, daemonSetMs };
}

// Run alone: node packages/controllers/bench/daemonset.ts [nodes] [rounds]
if (process.argv[1]?.endsWith('daemonset.ts')) {
  process.env.NODE_ENV ??= 'production';
  await benchDaemonSet(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 3), (line) => console.log(line));
  process.exit(0);
}
