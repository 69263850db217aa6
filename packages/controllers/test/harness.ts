// Test harness: a real API server on port 0, a simulated node agent that makes pods Running and
// Ready through the status subresource, and helpers to wait for conditions.
import { formatMicroTime, formatTime } from '@skiff/api';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import type { KubeObject } from '@skiff/api';
import { startTestServer, type TestServer } from '@skiff/apiserver/testing';
import { Informer, isNotFound, RestClient } from '@skiff/client';
import { createControllerManager, type ControllerManager, type ControllerManagerOptions } from '../src/index.ts';
import { LEASES, NODES, PODS } from '../src/lib/resources.ts';
import { targetNodeOf } from '../src/daemonset/plan.ts';

export interface Cluster {
  server: TestServer;
  url: string;
  client: RestClient;
  close(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const server = await startTestServer();
  const client = new RestClient({ server: server.url });
  return {
    server,
    url: server.url,
    client,
    async close() {
      client.close();
      await server.close();
    },
  };
}

/** A controller manager with test-sized timings. */
export function startManager(url: string, opts: Partial<ControllerManagerOptions> = {}): ControllerManager {
  const m = createControllerManager({
    server: url,
    leaderElect: false,
    log: () => {},
    ...opts,
  });
  void m.start();
  return m;
}

export interface KubeletOptions {
  /** Pods whose first container image contains one of these never become ready. */
  neverReady?: string[];
  /** Bind unscheduled pods to one of these nodes (round robin over the healthy ones). */
  nodes?: () => string[];
  /** Delay before a pod turns ready, ms (random up to this). */
  readyDelayMs?: number;
  /** Nodes whose pods this agent no longer serves (a dead node). */
  deadNodes?: Set<string>;
  /** Bound pods finish at once (phase Succeeded, exit code 0) instead of running: Job pods. */
  complete?: boolean;
}

let ipSeq = 1;

/**
 * A stand-in for scheduler + node agents: binds pending pods (when given nodes), marks them
 * Running and Ready, and completes graceful deletions. Driven by an informer, so it sees what a
 * real agent would.
 */
export function startSimulatedKubelet(client: RestClient, opts: KubeletOptions = {}): { stop(): void } {
  const informer = new Informer(client, PODS, { onError: () => {} });
  const busy = new Set<string>();
  let rr = 0;
  const handle = async (pod: KubeObject) => {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (busy.has(key)) return;
    const node = pod.spec?.nodeName as string | undefined;
    if (node && opts.deadNodes?.has(node)) return;
    busy.add(key);
    try {
      if (pod.metadata.deletionTimestamp) {
        await client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
        return;
      }
      if (!node && opts.nodes) {
        const candidates = opts.nodes();
        if (candidates.length === 0) return;
        // A pod whose node affinity names one node (a daemon pod) goes there.
        const target = targetNodeOf(pod);
        await client.bind(pod.metadata.namespace!, pod.metadata.name!, target ?? candidates[rr++ % candidates.length], { uid: pod.metadata.uid });
        return; // the update event brings it back here
      }
      const phase = pod.status?.phase;
      if (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed') return;
      const image: string = pod.spec?.containers?.[0]?.image ?? '';
      if (opts.complete) {
        await client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { status: completedStatus(pod) }, 'merge', { subresource: 'status' });
        return;
      }
      const ready = !(opts.neverReady ?? []).some((s) => image.includes(s));
      if (opts.readyDelayMs) await new Promise((r) => setTimeout(r, Math.random() * opts.readyDelayMs!));
      const now = formatTime();
      const n = ipSeq++;
      await client.patch(
        PODS,
        pod.metadata.namespace,
        pod.metadata.name!,
        {
          status: {
            phase: 'Running',
            podIP: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            startTime: now,
            conditions: [
              { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
              { type: 'Initialized', status: 'True', lastTransitionTime: now },
              { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
              { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
            ],
            containerStatuses: [{ name: pod.spec?.containers?.[0]?.name ?? 'c', ready, restartCount: 0, image, imageID: image, started: true, state: { running: { startedAt: now } } }],
          },
        },
        'merge',
        { subresource: 'status' },
      );
    } catch (err) {
      if (!isNotFound(err)) {
        // Conflicts and the like: the next event brings the pod back.
      }
    } finally {
      busy.delete(key);
    }
  };
  informer.addEventHandler({ onAdd: (p) => void handle(p), onUpdate: (_o, p) => void handle(p) });
  informer.start();
  const retry = setInterval(() => {
    for (const p of informer.store.list()) if (!['Running', 'Succeeded', 'Failed'].includes(p.status?.phase) || p.metadata.deletionTimestamp) void handle(p);
  }, 200);
  return {
    stop() {
      clearInterval(retry);
      informer.stop();
    },
  };
}

/** The status of a pod whose one container ran and exited 0. */
function completedStatus(pod: KubeObject): Record<string, unknown> {
  const now = formatTime();
  const image: string = pod.spec?.containers?.[0]?.image ?? '';
  return {
    phase: 'Succeeded',
    startTime: now,
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      { type: 'Initialized', status: 'True', lastTransitionTime: now },
      { type: 'ContainersReady', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
      { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now },
    ],
    containerStatuses: [{ name: pod.spec?.containers?.[0]?.name ?? 'c', ready: false, restartCount: 0, image, imageID: image, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } } }],
  };
}

/** Registers nodes and renews their leases until told to stop (per node). */
export async function startSimulatedNodes(client: RestClient, names: string[], renewMs = 200) {
  const dead = new Set<string>();
  await client.create({ group: '', version: 'v1', plural: 'namespaces', scope: 'Cluster' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } }).catch(() => {});
  for (const name of names) {
    await client.create(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: formatTime(), lastTransitionTime: formatTime() }] },
    });
  }
  const renew = async () => {
    for (const name of names) {
      if (dead.has(name)) continue;
      const renewTime = formatMicroTime();
      try {
        const lease = await client.get(LEASES, 'kube-node-lease', name);
        await client.update(LEASES, { ...lease, spec: { ...lease.spec, renewTime } });
      } catch (err) {
        if (isNotFound(err)) {
          await client.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime } }).catch(() => {});
        }
      }
    }
  };
  await renew();
  const timer = setInterval(() => void renew(), renewMs);
  return {
    kill: (name: string) => dead.add(name),
    dead,
    healthy: () => names.filter((n) => !dead.has(n)),
    stop: () => clearInterval(timer),
  };
}


export function kubectl(url: string, cacheDir: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/kubectl', ['--server', url, '--cache-dir', cacheDir, ...args], { timeout: timeoutMs, env: { ...process.env, KUBECONFIG: join(cacheDir, 'no-kubeconfig') } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function deploymentManifest(name: string, o: { replicas?: number; image?: string; maxSurge?: number | string; maxUnavailable?: number | string; progressDeadlineSeconds?: number; strategy?: 'Recreate'; minReadySeconds?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      ...(o.progressDeadlineSeconds ? { progressDeadlineSeconds: o.progressDeadlineSeconds } : {}),
      ...(o.minReadySeconds ? { minReadySeconds: o.minReadySeconds } : {}),
      strategy: o.strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: o.image ?? 'web:1' }] } },
    },
  };
}

export function isActive(p: KubeObject): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';
}

export function isReady(p: KubeObject): boolean {
  return (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}
