// A whole skiff cluster inside the test process: a real API server (port 0, temp data dir), the
// scheduler, the controller manager and N node agents on the local Docker engine (or a simulated
// runtime). Every container the agents create carries `dev.skiff.node=<node name>`; close() stops
// the agents and removes those containers, so each test file must use node names of its own.
import { until } from '@skiff/apiserver/testing';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockerRuntime, removeAgentState, removeClusterRules, removeNodeNetwork, startAgent, type Agent, type AgentOptions, type ContainerRuntime } from '@skiff/agent';
import type { KubeObject } from '@skiff/api';
import { apiServiceIP, ensureClusterPki, issueCertificate, renderKubeconfig, startApiServer, type ClusterPki, type RunningApiServer } from '@skiff/apiserver';
import { RestClient } from '@skiff/client';
import { createControllerManager, type ControllerManager } from '@skiff/controllers';
import { createScheduler, type Scheduler } from '@skiff/scheduler';
import { Kubectl } from './kubectl.ts';

const run = promisify(execFile);

export const PODS = { group: '', version: 'v1', plural: 'pods', scope: 'Namespaced' } as const;
export const EVENTS = { group: '', version: 'v1', plural: 'events', scope: 'Namespaced' } as const;
export const NODES = { group: '', version: 'v1', plural: 'nodes', scope: 'Cluster' } as const;

export interface NodeSpec {
  name: string;
  ip: string;
}

export interface ClusterOptions {
  nodes: NodeSpec[];
  /** A runtime per node; default a DockerRuntime each. */
  runtime?: (node: NodeSpec) => ContainerRuntime;
  /** Serve logs/exec (default true; hollow nodes do not). */
  serveEndpoint?: boolean;
  /** Crash-loop back-off; default 500 ms doubling to 4 s so that crash loops are quick. */
  backoff?: { baseMs: number; maxMs: number };
  /** More agent options (e.g. hostPortRange). */
  agent?: Partial<AgentOptions>;
  /** Agent options for one node (by index), e.g. the kernel service proxy on the first only. */
  agentOptions?: (index: number) => Partial<AgentOptions>;
  /**
   * The pods' address range. Default: a /16 of 10.128.0.0/9 picked from the first node's IP
   * (127.0.X.Y -> 10.(128+X).0.0/16), so that test files running side by side on one engine never
   * ask Docker for overlapping pod networks.
   */
  clusterCIDR?: string;
  /** Agent log lines; default dropped unless SKIFF_E2E_LOG is set. */
  log?: (message: string) => void;
  /**
   * Serve HTTPS as `skiff server` does: a cluster PKI in the data directory, ServiceAccount tokens,
   * the scheduler, controller manager and agents with client certificates of their own, and the
   * `kubernetes` Service advertising `advertiseAddress` (an address of this host pods reach).
   * SKIFF_E2E_TLS=1 in the environment turns it on for every cluster.
   */
  tls?: { advertiseAddress?: string };
}

export interface TestCluster {
  url: string;
  /** With `tls`: the cluster's PKI (its CA signs client certificates). */
  pki?: ClusterPki;
  client: RestClient;
  kubectl: Kubectl;
  agents: (Agent | undefined)[];
  nodes: NodeSpec[];
  /** Stops one agent (its containers keep running, as when a kubelet dies). */
  stopAgent(i: number): Promise<void>;
  /** Starts one agent again, with the same name, address and runtime kind. */
  startAgent(i: number): Promise<Agent>;
  /**
   * How a test reaches agent i's endpoint directly, as the API server does: with TLS, the client
   * certificate the agents accept (kube-apiserver-kubelet-client) and the CA (ADR 0019).
   */
  agentEndpoint(i: number): { host: string; port: number; tls?: { ca: string; cert: string; key: string } };
  /**
   * What an agent the test starts itself needs to join as node `nodeName`, as the cluster's own
   * agents do: with TLS its client certificate (system:node:NAME in system:nodes) and the CA;
   * nothing without.
   */
  nodeCredentials(nodeName: string): Promise<{ ca?: string; cert?: string; key?: string }>;
  close(): Promise<void>;
}

const quiet = (m: string) => {
  if (process.env.SKIFF_E2E_LOG) process.stderr.write(`${m}\n`);
};

export async function startCluster(opts: ClusterOptions): Promise<TestCluster> {
  // SKIFF_E2E_TLS=1 runs any suite over HTTPS with every component's own identity, so that the
  // Node authorizer and RBAC see everything the agents, scheduler and controller manager do.
  const o: ClusterOptions = opts.tls || !process.env.SKIFF_E2E_TLS ? opts : { ...opts, tls: {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-e2e-cluster-'));
  const log = o.log ?? quiet;
  let server: RunningApiServer | undefined;
  let scheduler: Scheduler | undefined;
  let manager: ControllerManager | undefined;
  const agents: (Agent | undefined)[] = o.nodes.map(() => undefined);
  const runtimes = o.nodes.map((n) => (o.runtime ? o.runtime(n) : new DockerRuntime()));
  const dockerNodes = o.runtime ? [] : o.nodes.map((n) => n.name);
  const clusterCIDR = o.clusterCIDR ?? `10.${128 + (Number(o.nodes[0]?.ip.split('.')[2] ?? 0) % 128)}.0.0/16`;
  // Containers left over from an earlier, interrupted run of the same file would be adopted or
  // confuse the counts: remove them first.
  await removeNodeContainers(dockerNodes);

  let pki: ClusterPki | undefined;
  // With TLS, each component is someone: a client certificate signed by the cluster CA.
  const identity = async (commonName: string, organizations: string[] = []) =>
    pki ? { ca: pki.ca.cert, ...(await issueCertificate(pki.ca, { commonName, organizations, usage: 'client' })) } : {};
  const nodeCredentials = (nodeName: string) => identity(`system:node:${nodeName}`, ['system:nodes']);
  const spawnAgent = async (i: number) =>
    startAgent({
      ...(await nodeCredentials(o.nodes[i].name)),
      server: server!.url,
      nodeName: o.nodes[i].name,
      nodeIP: o.nodes[i].ip,
      runtime: runtimes[i],
      port: 0,
      serveEndpoint: o.serveEndpoint,
      backoff: o.backoff ?? { baseMs: 500, maxMs: 4000 },
      clusterCIDR,
      log: (m) => log(`agent ${o.nodes[i].name}: ${m}`),
      // Each agent's state (pods' emptyDirs and projected files) in the cluster's directory.
      rootDir: join(dataDir, 'agents', o.nodes[i].name),
      ...o.agent,
      ...o.agentOptions?.(i),
    });

  const close = async () => {
    await Promise.all(agents.map((a) => a?.stop().catch(() => undefined)));
    await scheduler?.stop().catch(() => undefined);
    await manager?.stop().catch(() => undefined);
    await removeNodeContainers(dockerNodes);
    // This cluster's host rules (pod network, service proxy); other clusters' on this kernel stay.
    if (dockerNodes.length) await removeClusterRules(clusterCIDR).catch(() => undefined);
    client.close();
    await server?.close().catch(() => undefined);
    await removeAgentState(join(dataDir, 'agents')).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };

  let client!: RestClient;
  try {
    const advertise = o.tls?.advertiseAddress;
    if (o.tls) {
      const names = ['127.0.0.1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', apiServiceIP(), ...(advertise ? [advertise] : [])];
      pki = await ensureClusterPki(join(dataDir, 'pki'), names);
    }
    const secure = pki ? { tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert, kubeletClient: pki.kubeletClient }, authentication: { serviceAccountKey: pki.serviceAccountKey }, advertiseAddress: advertise } : {};
    server = await startApiServer({ dataDir, host: '127.0.0.1', port: 0, ...secure });
    client = new RestClient({ server: server.url, userAgent: 'skiff-e2e', ...(pki ? { ca: pki.ca.cert, ...pki.admin } : {}) });
    scheduler = createScheduler({ server: server.url, endpoint: false, leaderElection: false, log, ...(await identity('system:kube-scheduler')) });
    await scheduler.start();
    // With TLS it signs the agents' serving certificates (CSRs), as skiff server's does.
    manager = createControllerManager({ server: server.url, leaderElect: false, clusterCIDR, signing: pki?.ca, log: (m) => log(`controller-manager: ${m}`), ...(await identity('system:kube-controller-manager')) });
    await manager.start();
    for (let i = 0; i < o.nodes.length; i++) agents[i] = await spawnAgent(i);
    // Every node Ready before a test creates pods, so that the scheduler sees them all.
    await until('every node Ready', async () => {
      const nodes = (await client.list(NODES)).items;
      return o.nodes.every((n) => nodes.some((x) => x.metadata.name === n.name && ((x.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True')));
    }, { timeoutMs: 20_000, intervalMs: 50 });
  } catch (err) {
    client ??= new RestClient({ server: 'http://127.0.0.1:1' });
    await close();
    throw err;
  }

  let kubeconfig: string | undefined;
  if (pki) {
    kubeconfig = join(dataDir, 'admin.kubeconfig');
    writeFileSync(kubeconfig, renderKubeconfig({ server: server.url, ca: pki.ca.cert, user: pki.admin }), { mode: 0o600 });
  }
  return {
    url: server.url,
    pki,
    client,
    kubectl: new Kubectl(server.url, kubeconfig),
    agents,
    nodes: o.nodes,
    async stopAgent(i) {
      await agents[i]?.stop();
      agents[i] = undefined;
    },
    async startAgent(i) {
      agents[i] = await spawnAgent(i);
      return agents[i]!;
    },
    agentEndpoint: (i) => ({ host: o.nodes[i].ip, port: agents[i]!.endpointPort, tls: pki ? { ca: pki.ca.cert, ...pki.kubeletClient } : undefined }),
    nodeCredentials,
    close,
  };
}

/** Removes every container (running or not) of the given skiff nodes, their pods' holders and pod networks. */
export async function removeNodeContainers(nodes: string[]): Promise<void> {
  const engine = new DockerRuntime().engine;
  for (const node of nodes) {
    const ids = await dockerIds(['--filter', `label=dev.skiff.node=${node}`]);
    if (ids.length) await run('docker', ['rm', '-f', '-v', ...ids]).catch(() => undefined);
    await removeNodeNetwork(engine, node);
  }
}

/** `docker ps -aq` with filters. */
export async function dockerIds(filters: string[]): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '-aq', '--no-trunc', ...filters]);
  return stdout.split('\n').filter(Boolean);
}

export async function docker(args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}


export { until };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pods of a namespace, optionally by label selector. */
export async function listPods(client: RestClient, namespace: string, labelSelector?: string): Promise<KubeObject[]> {
  return (await client.list(PODS, { namespace, labelSelector })).items;
}

export async function getPod(client: RestClient, namespace: string, name: string): Promise<KubeObject> {
  return client.get(PODS, namespace, name);
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  containerID?: string;
  state: { waiting?: { reason: string; message?: string }; running?: { startedAt: string }; terminated?: { exitCode: number; reason: string } };
  lastState: { terminated?: { exitCode: number; reason: string; containerID?: string } };
}

export function containerStatus(pod: KubeObject, name?: string): ContainerStatus | undefined {
  const list = (pod.status?.containerStatuses ?? []) as ContainerStatus[];
  return name ? list.find((c) => c.name === name) : list[0];
}

export function isReady(pod: KubeObject): boolean {
  return ((pod.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function podEvents(client: RestClient, namespace: string, podName: string): Promise<{ reason: string; message: string; type: string }[]> {
  const list = await client.list(EVENTS, { namespace, fieldSelector: `involvedObject.name=${podName}` });
  return list.items as unknown as { reason: string; message: string; type: string }[];
}

/** A pod manifest of one container; `extra` is merged into the container, `podSpec` into the pod spec. */
export function podManifest(name: string, namespace: string, container: Record<string, unknown>, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { terminationGracePeriodSeconds: 2, ...podSpec, containers: [{ name: 'main', image: 'skiff/busybox:1', ...container }] },
  } as KubeObject;
}

/** Records every version of the pods a watch delivers (for transient states a poll could miss). */
export function recordPods(client: RestClient, namespace: string, fieldSelector?: string): { versions: KubeObject[]; stop(): void } {
  const versions: KubeObject[] = [];
  const handle = client.watch(PODS, { namespace, fieldSelector }, (e) => {
    if (e.type === 'ADDED' || e.type === 'MODIFIED') versions.push(e.object as KubeObject);
  }, () => undefined);
  return { versions, stop: () => handle.abort() };
}
