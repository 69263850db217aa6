// The chaos suite: a Deployment of 20 behind a Service, under a steady client load, on a cluster
// of separate processes (API server, scheduler, controller manager, 3 node agents, as `skiff up`
// runs them). At seeded random moments one of them is SIGKILLed and started again. Throughout,
// a watch checks that the Deployment never has more than replicas + maxSurge active pods and
// that no pod is bound twice; afterwards the cluster must converge, every acknowledged write be
// there, no pod run twice, and the WAL, the revision log and the process logs stay bounded.
//
// Every kill is printed with the time and the seed; replay a run with
//   CHAOS_SEED=<seed> flock /tmp/skiff-docker.lock scripts/test.sh e2e/chaos [-t 'chaos on sim']
// CHAOS_DURATION_MS sets how long the kills go on (default 40 s per run).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '@skiff/api';
import { freePorts, until } from '@skiff/apiserver/testing';
import { RestClient } from '@skiff/client';
import { removeClusterRules } from '@skiff/agent';
import { docker, isReady, removeNodeContainers } from '../support/cluster.ts';
import { ClusterProcesses, seededRandom } from './processes.ts';
import { isActive, PodObserver } from './observer.ts';

const res = (group: string, version: string, plural: string, scope: 'Namespaced' | 'Cluster' = 'Namespaced') => ({ group, version, plural, scope });
const PODS = res('', 'v1', 'pods');
const NODES = res('', 'v1', 'nodes', 'Cluster');
const SERVICES = res('', 'v1', 'services');
const ENDPOINTS = res('', 'v1', 'endpoints');
const LEASES = res('coordination.k8s.io', 'v1', 'leases');
const DEPLOYMENTS = res('apps', 'v1', 'deployments');
const REPLICA_SETS = res('apps', 'v1', 'replicasets');

const REPLICAS = 20;
const MAX_SURGE = 5; // 25% of 20
const DURATION_MS = Number(process.env.CHAOS_DURATION_MS ?? 40_000);
/** Kubernetes keeps 10,000 revisions by default; skiff's SQLite storage too (retainRevisions). */
const RETAINED_REVISIONS = 10_000;
const WAL_BOUND = 64 * 1024 * 1024;
const LOG_BOUND = 5 * 1024 * 1024;

interface Run {
  runtime: 'sim' | 'docker';
  /** Node IP prefix: 127.0.8.x (sim) and 127.0.9.x (docker) belong to this suite. */
  ipPrefix: string;
  nodePrefix: string;
}

const RUNS: Run[] = [
  { runtime: 'sim', ipPrefix: '127.0.8', nodePrefix: 'chaos-sim' },
  { runtime: 'docker', ipPrefix: '127.0.9', nodePrefix: 'chaos-docker' },
];

describe.each(RUNS)('chaos on $runtime', (run) => {
  const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const nodes = [1, 2, 3].map((i) => ({ name: `${run.nodePrefix}-${i}`, ip: `${run.ipPrefix}.${i}` }));
  // A pod range of this suite's own (as startCluster picks one from the node IPs: 127.0.X.Y ->
  // 10.(128+X).0.0/16), so that its host rules are removed afterwards without touching anyone's.
  const CLUSTER_CIDR = `10.${128 + Number(run.ipPrefix.split('.')[2])}.0.0/16`;
  let dir: string;
  let procs: ClusterProcesses;
  let client: RestClient;
  let url: string;
  const t0 = Date.now();
  const timeline: string[] = [];
  const clock = () => `t=${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const note = (line: string) => {
    timeline.push(`${clock()} ${line}`);
    process.stdout.write(`chaos ${run.runtime} seed=${seed} ${clock()} ${line}\n`);
  };
  /** A failed check names the seed and the whole kill timeline, so that it can be replayed. */
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${what}\nseed ${seed} (replay: CHAOS_SEED=${seed}); timeline:\n  ${timeline.join('\n  ')}`);
  };

  beforeAll(async () => {
    // Fails loudly when no Docker engine answers.
    if (run.runtime === 'docker') await docker(['info', '--format', '{{.ServerVersion}}']);
    dir = mkdtempSync(join(tmpdir(), `skiff-chaos-${run.runtime}-`));
    procs = new ClusterProcesses(dir);
    const [port, plainPort] = await freePorts(2);
    // The components meet the server on its plain-HTTP loopback port (system:unsecured): this test
    // is about kills and recovery, not credentials (ADR 0014).
    url = `http://127.0.0.1:${plainPort}`;
    procs.start('apiserver', ['server', '--data-dir', join(dir, 'data'), '--port', String(port), '--insecure-port', String(plainPort), '--no-scheduler', '--no-controllers']);
    await until('the API server', () => fetch(`${url}/readyz`).then((r) => r.ok), 120_000).catch((err) => fail(err, procs));
    client = new RestClient({ server: url, timeoutMs: 5000 });
    procs.start('scheduler', ['scheduler', '--server', url, '--port', String((await freePorts(1))[0])]);
    procs.start('controller-manager', ['controller-manager', '--server', url, '--cluster-cidr', CLUSTER_CIDR]);
    for (const [i, n] of nodes.entries()) {
      const args = ['agent', '--server', url, '--node-name', n.name, '--node-ip', n.ip, '--runtime', run.runtime, '--port', String((await freePorts(1))[0]), '--backoff-base', '500', '--cluster-cidr', CLUSTER_CIDR];
      procs.start(`agent-${i + 1}`, args);
    }
    // Seven processes load the CLI at once: on a busy 2-core machine that takes a minute or more.
    await until('3 Ready nodes', async () => (await client.list(NODES)).items.filter((n) => nodes.some((x) => x.name === n.metadata.name) && isReady(n)).length === 3, 180_000).catch((err) =>
      fail(err, procs),
    );
  }, 330_000);

  const stopOnFailure: (() => void)[] = [];
  afterAll(async () => {
    for (const stop of stopOnFailure) stop();
    client?.close();
    await procs?.stopAll();
    if (run.runtime === 'docker') {
      await removeNodeContainers(nodes.map((n) => n.name));
      // The pod network's host rules of this cluster (its own CIDR: other clusters' rules stay).
      await removeClusterRules(CLUSTER_CIDR);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('SIGKILLs of every component: converges, never over replicas + maxSurge, nothing duplicated or lost, bounded logs', async () => {
    const random = seededRandom(seed);
    note(`seed ${seed}, ${DURATION_MS} ms of kills`);
    await client.create(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'chaos', namespace: 'default' },
      spec: { selector: { app: 'chaos' }, ports: [{ port: 80, targetPort: 80 }] },
    });
    await client.create(DEPLOYMENTS, deployment('v1'));
    const observer = new PodObserver(client, { namespace: 'default', labelSelector: 'app=chaos', limit: REPLICAS + MAX_SURGE, clock });
    stopOnFailure.push(() => observer.stop());
    await observer.start();
    await until('20 available replicas', async () => (await client.get(DEPLOYMENTS, 'default', 'chaos')).status?.availableReplicas === REPLICAS, 90_000);
    note('deployment available');

    // The steady load: one writer creating Leases and counting up one annotation, one reader.
    const load = startLoad(client);
    stopOnFailure.push(() => void load.stop());
    const roles = ['apiserver', 'scheduler', 'controller-manager', 'agent-1', 'agent-2', 'agent-3'];
    let walMax = 0;
    let rolledOut = false;
    const end = Date.now() + DURATION_MS;
    while (Date.now() < end) {
      await pause(1500 + random() * 3500);
      if (!rolledOut && Date.now() > end - DURATION_MS / 2) {
        // A rollout in the middle of the chaos, so that maxSurge is what bounds the pods.
        rolledOut = await client.patch(DEPLOYMENTS, 'default', 'chaos', { spec: { template: { metadata: { annotations: { 'chaos/revision': 'v2' } } } } }, 'merge').then(
          () => true,
          () => false,
        );
        if (rolledOut) note('rollout to v2 started');
      }
      const victim = roles[Math.floor(random() * roles.length)];
      const down = 100 + random() * 1900;
      const pid = await procs.kill(victim);
      note(`SIGKILL ${victim} (pid ${pid}), down for ${Math.round(down)} ms`);
      await pause(down);
      procs.restart(victim);
      walMax = Math.max(walMax, walBytes(dir));
      check(procs.crashed().length === 0, `crashed on their own: ${procs.crashed().join(', ')}\n${procs.logTails(20)}`);
    }
    if (!rolledOut) {
      await until('the rollout to v2 accepted', () =>
        client.patch(DEPLOYMENTS, 'default', 'chaos', { spec: { template: { metadata: { annotations: { 'chaos/revision': 'v2' } } } } }, 'merge').then(() => true),
      60_000);
      note('rollout to v2 started (after the kills)');
    }
    const written = await load.stop();
    note(`kills over; the load wrote ${written.created.length} Leases and counted to ${written.counted}`);

    // 1. The cluster converges: the Deployment complete on v2, its Service serving all 20.
    let state = '';
    await until(
      'the Deployment rolled out to v2 with 20 available pods, each in the Endpoints',
      async () => {
        const d = await client.get(DEPLOYMENTS, 'default', 'chaos');
        const s = d.status ?? {};
        const ep = await client.get(ENDPOINTS, 'default', 'chaos');
        const ready = ((ep.subsets ?? []) as { addresses?: unknown[] }[]).flatMap((x) => x.addresses ?? []).length;
        const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=chaos' })).items;
        const phases = pods.map((p) => `${p.metadata.name}:${p.spec?.nodeName ?? '-'}:${p.status?.phase}${isReady(p) ? '+' : ''}${p.metadata.deletionTimestamp ? '(terminating)' : ''}`);
        // The Service's Endpoints list every ready pod that has an address (simulated pods have none).
        const addressed = pods.filter((p) => isActive(p) && isReady(p) && p.status?.podIP).length;
        state = `generation ${d.metadata.generation}, status ${JSON.stringify({ ...s, conditions: undefined })}, ${ready} ready endpoints for ${addressed} pods with an address, pods ${phases.join(' ')}`;
        return s.observedGeneration === d.metadata.generation && s.updatedReplicas === REPLICAS && s.availableReplicas === REPLICAS && s.replicas === REPLICAS && ready === addressed && (run.runtime === 'sim' || addressed === REPLICAS);
      },
      150_000,
    ).catch((err) => check(false, `${(err as Error).message}\nlast state: ${state}\nexited on their own: ${procs.crashed().join(', ') || 'none'}\n${procs.logTails(15)}`));
    note('converged');
    const rss = (await client.list(REPLICA_SETS, { namespace: 'default', labelSelector: 'app=chaos' })).items;
    const newest = rss.find((r) => r.spec.template.metadata?.annotations?.['chaos/revision'] === 'v2');
    check(newest !== undefined, 'no ReplicaSet for v2');
    const active = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=chaos' })).items.filter(isActive);
    check(active.length === REPLICAS, `${active.length} active pods at the end, not ${REPLICAS}`);
    const hash = newest!.metadata.labels?.['pod-template-hash'];
    check(active.every((p) => p.metadata.labels?.['pod-template-hash'] === hash), 'pods of an old revision remain');
    check(active.every((p) => p.status?.phase === 'Running' && isReady(p)), 'not every pod is Running and Ready');

    // 2. Never more than replicas + maxSurge, no pod bound twice (checked throughout by the watch).
    observer.stop();
    check(observer.violations.length === 0, `violations seen by the watch:\n  ${observer.violations.join('\n  ')}`);
    note(`at most ${observer.maxActive} active pods at any time (limit ${REPLICAS + MAX_SURGE})`);

    // 3. No pod runs twice: on Docker, one running container per pod (the agents found theirs
    // again after each restart instead of starting another).
    if (run.runtime === 'docker') {
      const running = new Map<string, number>();
      for (const n of nodes) {
        // One listing with the labels in it: a container listed and then inspected could be gone by
        // the inspect (a terminating old pod's, removed in between).
        const listed = await docker(['ps', '--filter', `label=dev.skiff.node=${n.name}`, '--filter', 'status=running', '--format', '{{.Label "io.kubernetes.pod.uid"}}']);
        for (const uid of listed.split('\n').map((l) => l.trim()).filter(Boolean)) running.set(uid, (running.get(uid) ?? 0) + 1);
      }
      const twice = [...running].filter(([, n]) => n > 1);
      check(twice.length === 0, `pods with more than one running container: ${JSON.stringify(twice)}`);
      check(active.every((p) => running.get(p.metadata.uid ?? '') === 1), 'a pod has no running container');
    }

    // 4. No acknowledged write is lost.
    const leases = new Set((await client.list(LEASES, { namespace: 'default', labelSelector: 'chaos-load=1' })).items.map((l) => l.metadata.name));
    const lost = written.created.filter((n) => !leases.has(n));
    check(lost.length === 0, `acknowledged creates lost: ${lost.join(', ')}`);
    const counter = Number((await client.get(LEASES, 'default', 'chaos-counter')).metadata.annotations?.n ?? -1);
    check(counter >= written.counted && counter <= written.attempted, `the counter reads ${counter}; acknowledged ${written.counted}, attempted ${written.attempted}`);

    // 5. Bounded: the WAL, the revision log, the processes' logs.
    walMax = Math.max(walMax, walBytes(dir));
    check(walMax <= WAL_BOUND, `the WAL grew to ${walMax} bytes`);
    const logRows = revisionLogRows(dir);
    check(logRows <= RETAINED_REVISIONS + 1000, `the revision log holds ${logRows} rows`);
    const sizes = procs.logSizes();
    check(Object.values(sizes).every((s) => s <= LOG_BOUND), `process logs: ${JSON.stringify(sizes)}`);
    note(`WAL at most ${walMax} bytes, ${logRows} log rows, process logs ${JSON.stringify(sizes)}`);
  }, DURATION_MS + 480_000);
});

/** A start-up that failed, with what the processes said. */
function fail(err: unknown, procs: ClusterProcesses): never {
  throw new Error(`${(err as Error).message}\nexited: ${procs.crashed().join(', ') || 'none'}\n${procs.logTails(15)}`);
}

function deployment(revision: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'chaos', namespace: 'default', labels: { app: 'chaos' } },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'chaos' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'chaos' }, annotations: { 'chaos/revision': revision } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [{ name: 'main', image: 'skiff/busybox:1', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }],
        },
      },
    },
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The client load: creates Leases one after another (each acknowledged name is remembered) and
 * counts an annotation up on one Lease; a reader lists the pods. Failed requests (the API
 * server is down) are simply not acknowledged; each loop is bounded by stop().
 */
function startLoad(client: RestClient) {
  let stopped = false;
  const created: string[] = [];
  let counted = 0;
  let attempted = 0;
  const lease = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'default', labels: { 'chaos-load': '1' }, annotations },
    spec: { holderIdentity: 'chaos' },
  });
  const writer = (async () => {
    await client.create(LEASES, lease('chaos-counter', { n: '0' }));
    for (let i = 0; !stopped; i++) {
      const name = `load-${i}`;
      try {
        await client.create(LEASES, lease(name));
        created.push(name);
      } catch {
        // not acknowledged (maybe written anyway): not counted either way
      }
      attempted = counted + 1;
      try {
        await client.patch(LEASES, 'default', 'chaos-counter', { metadata: { annotations: { n: String(attempted) } } }, 'merge');
        counted = attempted;
      } catch {
        // not acknowledged
      }
      await pause(50);
    }
  })();
  const reader = (async () => {
    while (!stopped) {
      await client.list(PODS, { namespace: 'default', labelSelector: 'app=chaos' }).catch(() => undefined);
      await pause(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await Promise.all([writer, reader]);
      return { created, counted, attempted };
    },
  };
}

function walBytes(dir: string): number {
  return statSync(join(dir, 'data', 'skiff.db-wal'), { throwIfNoEntry: false })?.size ?? 0;
}

/** Rows in the storage's revision log, read next to the running server (WAL mode allows it). */
function revisionLogRows(dir: string): number {
  const db = new Database(join(dir, 'data', 'skiff.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
