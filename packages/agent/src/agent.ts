// A node agent: registers its Node, watches the pods bound to it and runs one worker per pod,
// serves logs and exec, and relists the runtime every second (as the kubelet's PLEG does) so that
// a container that exits, or is removed behind its back, is noticed within a second.
import { ENDPOINT_SLICES, PODS, podObjects } from '@skiff/api';
import type { KubeObject } from '@skiff/api';
import { EventRecorder, Informer, RestClient } from '@skiff/client';
import { NodeHeartbeat } from './node/heartbeat.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './pod/backoff.ts';
import { PortAllocator, type PortRange } from './pod/ports.ts';
import { PodWorker } from './pod/worker.ts';
import { fingerprint } from './pod/observed.ts';
import { ProbeManager } from './probe/manager.ts';
import { LABEL_NODE_NAME, LABEL_POD_UID, type ContainerInfo, type ContainerRuntime } from './runtime/types.ts';
import { startEndpoint, type AgentEndpoint } from './endpoint/server.ts';
import { KernelProxy } from './proxy/kernel-proxy.ts';
import { EndpointDrain } from './proxy/endpoint-drain.ts';
import { DockerRuntime } from './runtime/docker/docker-runtime.ts';
import { DockerPodNetwork } from './network/docker-pod-network.ts';
import { NodeNetwork } from './network/node-network.ts';
import type { PodNetwork } from './network/types.ts';
import { ClusterDns, parseResolvConf } from './dns/server.ts';
import { computePodDNS } from './dns/pod-dns.ts';
import { DEFAULT_ZONE } from './dns/records.ts';
import { readFileSync } from 'node:fs';
import { VolumeManager } from './volumes/manager.ts';
import { objectKey, ProjectedObjects } from './volumes/objects.ts';
import { podReferences } from './container-config/references.ts';
import { LocalClaims } from './volumes/claims.ts';
import { ServiceLister } from './pod/services.ts';
import { PodTokens } from './volumes/tokens.ts';
import { EmptyDirMonitor } from './eviction/monitor.ts';
import { APISERVER_KUBELET_CLIENT_USER } from '@skiff/api';
import { NodeCertificates } from './identity/node-certificates.ts';


export interface AgentOptions {
  /** API server URL, or several separated by commas: the client fails over between them (ADR 0012). */
  server: string;
  token?: string;
  /** PEM: the CA that signed the server's certificate, and the node's client certificate and key (https). */
  ca?: string;
  cert?: string;
  key?: string;
  nodeName: string;
  nodeIP: string;
  runtime: ContainerRuntime;
  /** Port of the agent's endpoint on nodeIP (logs, exec); 0 picks a free one. Default 10250. */
  port?: number;
  /** Serve logs/exec/port-forward at all. Default true. */
  serveEndpoint?: boolean;
  /**
   * The node's identity directory (ADR 0019): with a client certificate (ca, cert, key) from
   * joining, the serving certificate is kept there and both are renewed before they expire.
   * Without it, a node with a client certificate still asks for a serving certificate, but keeps
   * it only in memory and does not renew its client certificate (someone else issued it).
   */
  identityDir?: string;
  /** Share of a certificate's lifetime after which it is renewed; default 0.8. */
  certificateRenewFraction?: number;
  backoff?: BackoffPolicy;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  /** How often the runtime is relisted to notice container exits. Default 1000. */
  relistIntervalMs?: number;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  labels?: Record<string, string>;
  hostPortRange?: PortRange;
  /**
   * Give pods a network of their own (a bridge on the node's pod CIDR, one holder per pod, see
   * docs/adr/0002-networking.md). Default: on with the Docker runtime, off with the simulated one.
   */
  podNetwork?: boolean;
  /** The cluster's pod address range (for routes and forwarding rules); default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** Program the host's routes and iptables rules for the pod network (needs root); default true. */
  programHost?: boolean;
  /** Port of the cluster DNS server on the pod network's gateway; default 53 (pods' resolvers use 53). */
  dnsPort?: number;
  /**
   * Program this host's kernel for Services (ClusterIPs, NodePorts, LoadBalancer IPs; see
   * proxy/kernel-proxy.ts). One agent per kernel: several agents sharing one host's network
   * namespace (`skiff up` without --netns) let the first node do it. Default false.
   */
  serviceProxy?: boolean;
  /**
   * The agent's state directory (as the kubelet's --root-dir): pods' emptyDirs, projected files
   * and termination message files live below `pods/<uid>/`, Localhost seccomp profiles below
   * `seccomp/`. Default /var/lib/skiff/agent/<nodeName>.
   */
  rootDir?: string;
  /**
   * How often the disk usage of emptyDirs with a sizeLimit is measured; a pod whose usage passed
   * a limit is evicted (the kubelet's eviction monitoring period). Default 10000.
   */
  emptyDirCheckIntervalMs?: number;
  log?: (message: string) => void;
  /**
   * Aborting it while the Node is still being registered (registration retries until the API server
   * answers) ends startAgent: it rejects and leaves nothing behind (no endpoint listening).
   */
  signal?: AbortSignal;
}

export interface Agent {
  nodeName: string;
  endpointPort: number;
  /** The kernel service proxy, when this agent runs it. */
  proxy?: KernelProxy;
  stop(): Promise<void>;
}

/** The agent's state directory when none is given (the kubelet's is /var/lib/kubelet). */
export function defaultRootDir(nodeName: string): string {
  return `/var/lib/skiff/agent/${nodeName}`;
}

/** Where a node keeps its certificates and node password, below its state directory (ADR 0019). */
export function identityDirOf(rootDir: string): string {
  return `${rootDir}/pki`;
}

export async function startAgent(o: AgentOptions): Promise<Agent> {
  const log = o.log ?? ((m: string) => process.stderr.write(`skiff agent ${o.nodeName}: ${m}\n`));
  const client = new RestClient({ server: o.server, token: o.token, ca: o.ca, cert: o.cert, key: o.key, userAgent: `skiff-agent/${o.nodeName}` });
  const runtime = o.runtime;
  if (!(await runtime.ping())) log(`container runtime ${runtime.name} does not answer; the node reports NotReady until it does`);

  let endpoint: AgentEndpoint | undefined;
  // Port-forward asks the pod's worker (below) where the pod listens. A simulated pod's address
  // (100.64.0.0/10) is nowhere: nothing to forward to (the endpoint answers 400).
  const podAddress = runtime instanceof DockerRuntime ? (namespace: string, name: string) => workers.get(`${namespace}/${name}`)?.address : undefined;
  // A node with a certificate from the cluster CA serves TLS to the API server only (ADR 0019).
  const clientPair = o.ca && o.cert && o.key ? { cert: o.cert, key: o.key } : undefined;
  const tls = clientPair ? { ca: o.ca!, allowedClient: APISERVER_KUBELET_CLIENT_USER } : undefined;
  const podObject = (namespace: string, name: string) => workers.get(`${namespace}/${name}`)?.object;
  if (o.serveEndpoint !== false) endpoint = await startEndpoint({ runtime, nodeName: o.nodeName, host: o.nodeIP, port: o.port ?? 10250, log, podIP: podAddress, podObject, tls });
  const ep = endpoint;
  const certificates =
    clientPair && (ep || o.identityDir)
      ? new NodeCertificates({ client, nodeName: o.nodeName, nodeIP: o.nodeIP, ca: o.ca!, clientPair, dir: o.identityDir, serving: !!ep, onServing: (pair) => ep?.setServingCertificate(pair), renewFraction: o.certificateRenewFraction, log })
      : undefined;
  certificates?.start();

  const heartbeat = new NodeHeartbeat({
    client,
    runtime,
    node: { name: o.nodeName, ip: o.nodeIP, port: endpoint?.port ?? 0, reserved: { cpuMilli: 100, memoryBytes: 256 * 1024 ** 2 }, capacity: o.capacity, labels: o.labels },
    leaseDurationSeconds: o.leaseDurationSeconds ?? 40,
    renewIntervalMs: o.renewIntervalMs ?? 10_000,
    statusReportIntervalMs: 60_000,
    log,
  });
  // Registration retries while the API server does not answer; an abort ends it (heartbeat.start() rejects).
  const abortRegistration = () => heartbeat.stop();
  if (o.signal?.aborted) heartbeat.stop();
  else o.signal?.addEventListener('abort', abortRegistration, { once: true });
  try {
    await heartbeat.start();
  } catch (err) {
    // Registration failed for good (refused by the API server) or was aborted: nothing of this agent may stay behind.
    heartbeat.stop();
    certificates?.stop();
    await endpoint?.close();
    client.close();
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', abortRegistration);
  }

  // Every Service, for containers' Service variables and the cluster DNS.
  const services = new ServiceLister(client, log);
  services.start();
  let nodeNetwork: NodeNetwork | undefined;
  let podNetwork: PodNetwork | undefined;
  let dns: ClusterDns | undefined;
  // Every EndpointSlice, shared by the cluster DNS, the kernel proxy and the endpoint drain.
  let slices: Informer<KubeObject> | undefined;
  let drain: EndpointDrain | undefined;
  if (runtime instanceof DockerRuntime && o.podNetwork !== false) {
    nodeNetwork = new NodeNetwork({ client, nodeName: o.nodeName, clusterCIDR: o.clusterCIDR ?? '10.244.0.0/16', programHost: o.programHost, log });
    await nodeNetwork.start();
    const nn = nodeNetwork;
    slices = new Informer(client, ENDPOINT_SLICES, { onError: (err, ctx) => log(`endpointslice watch (${ctx}): ${(err as Error).message}`) });
    slices.start();
    // A deleted pod behind a Service is stopped once no node's proxy sends it new connections.
    drain = new EndpointDrain({ slices, nodes: nn.nodeInformer });
    // Cluster DNS for this node's pods, on the pod network's gateway address (every pod reaches it).
    const clusterDns = (dns = new ClusterDns({ client, log, services: services.informer, slices }));
    const host = (() => {
      try {
        return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
      } catch {
        return { nameservers: [], searches: [], options: [] };
      }
    })();
    let gateway = '';
    const network = new DockerPodNetwork({
      docker: runtime.engine,
      nodeName: o.nodeName,
      nodeIP: o.nodeIP,
      podCIDR: () => nn.podCIDR(),
      onReady: async (gw) => {
        gateway = gw;
        // Creating the network put Docker's MASQUERADE ahead of the pod-to-pod exemption.
        await nn.ensureRules();
        await clusterDns.listen(gw, o.dnsPort ?? 53);
      },
      dns: (pod) => computePodDNS({ pod, clusterDNS: gateway, zone: DEFAULT_ZONE, host }),
      log,
    });
    podNetwork = network;
    // Up front, so that DNS answers before the first pod asks.
    void network.prepare().catch((err: Error) => log(`setting up the pod network failed (retried with the first pod): ${err.message}`));
  }

  const workers = new Map<string, PodWorker>();
  const ports = new PortAllocator(o.nodeIP, o.hostPortRange);
  // Host ports of this node's existing containers stay theirs (a runtime not answering yet has
  // none to report; the allocator's bind check still skips ports in use).
  const existing = await runtime.list({ [LABEL_NODE_NAME]: o.nodeName }).catch((err: Error) => {
    log(`listing existing containers failed: ${err.message}`);
    return [];
  });
  for (const c of existing) for (const p of c.ports) ports.reserve(p.hostPort, p.protocol);
  const probes = new ProbeManager({
    runtime,
    onChange: (key) => workers.get(key)?.trigger(),
    onFailure: (key, container, kind, message) => {
      const w = workers.get(key);
      const pod = informer.store.get(key);
      if (w && pod) events.record(pod, 'Warning', 'Unhealthy', `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${message}`, `spec.containers{${container}}`);
    },
  });
  const events = new EventRecorder(client, { component: 'kubelet', host: o.nodeName, onError: (err) => log(`could not record an event: ${(err as Error).message}`) });
  const workerOf = (pod: KubeObject) => workers.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
  const objects = new ProjectedObjects({
    client,
    log,
    onChange: (kind, namespace, name) => {
      for (const pod of volumes.podsReading(kind, namespace, name)) workerOf(pod)?.refreshVolumes();
      // Env and envFrom too: a container waiting in CreateContainerConfigError for it starts now.
      for (const pod of informer.store.list()) {
        if (pod.metadata.namespace === namespace && podReferences(pod)[kind].has(name)) workerOf(pod)?.trigger();
      }
    },
  });
  const rootDir = o.rootDir ?? defaultRootDir(o.nodeName);
  const claims = new LocalClaims({ client, runtime, nodeName: o.nodeName, otherUsers: (ns, claim, uid): string[] => volumes.claimUsers(ns, claim, uid), log });
  // ServiceAccount tokens of projected volumes; one due for refresh rewrites its pod's volumes.
  const tokens = new PodTokens({
    client,
    log,
    onRefreshDue: (uid) => [...workers.values()].find((w) => w.uid === uid)?.refreshVolumes(),
  });
  const volumes: VolumeManager = new VolumeManager({ rootDir, nodeName: o.nodeName, nodeIP: o.nodeIP, objects, claims, tokens, log });
  // Volumes this node provisioned earlier (their data is here, named as the volume) may be released
  // while no pod uses them: watch each for that.
  await claims.startReclaimer(await runtime.listVolumes({ [LABEL_NODE_NAME]: o.nodeName }).catch(() => []));
  const deps = {
    runtime, client, nodeName: o.nodeName, nodeIP: o.nodeIP, probes, ports, events, volumes, objects, rootDir,
    allocatable: () => heartbeat.allocatable(),
    serviceEnv: (namespace: string, links: boolean) => services.envFor(namespace, links),
    backoff: o.backoff ?? DEFAULT_BACKOFF,
    network: podNetwork,
    drain,
    onFinished: (key: string) => {
      workers.delete(key);
      // The ConfigMaps and Secrets no remaining pod uses are watched no longer.
      const used = new Set<string>();
      for (const pod of informer.store.list()) {
        if (!workers.has(`${pod.metadata.namespace}/${pod.metadata.name}`)) continue;
        const o = podObjects(pod);
        for (const n of o.configMaps) used.add(objectKey('configMap', pod.metadata.namespace ?? '', n));
        for (const n of o.secrets) used.add(objectKey('secret', pod.metadata.namespace ?? '', n));
      }
      objects.forgetUnused(used);
    },
    log,
  };

  const informer = new Informer<KubeObject>(client, PODS, { fieldSelector: `spec.nodeName=${o.nodeName}`, onError: (err, ctx) => log(`pod watch (${ctx}): ${(err as Error).message}`) });
  const ensureWorker = (pod: KubeObject) => {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const existing = workers.get(key);
    if (existing && existing.uid !== pod.metadata.uid) existing.podGone(); // a new pod took the name
    const w = existing && existing.uid === pod.metadata.uid ? existing : new PodWorker(key, pod, deps);
    workers.set(key, w);
    w.update(pod);
  };
  informer.addEventHandler({
    onAdd: ensureWorker,
    onUpdate: (old, pod) => {
      ensureWorker(pod);
      // downwardAPI files show labels and annotations: they change in place.
      const m = (p: KubeObject) => JSON.stringify([p.metadata.labels, p.metadata.annotations]);
      if (m(old) !== m(pod) && volumes.readsMetadata(pod)) workerOf(pod)?.refreshVolumes();
    },
    onDelete: (pod) => workers.get(`${pod.metadata.namespace}/${pod.metadata.name}`)?.podGone(),
  });
  informer.start();
  // Services too: a container's Service variables need them (the kubelet holds containers until then).
  await Promise.all([informer.waitForSync(), services.waitForSync()]);
  // Volumes of pods deleted while the agent was down go now (their containers go with the relist).
  const live = new Set(informer.store.list().map((p) => p.metadata.uid ?? ''));
  await volumes.cleanupOrphans(live).catch((err: Error) => log(`removing volumes of deleted pods failed: ${err.message}`));

  // The relist loop: wake the workers whose containers are not as they last saw them, and remove
  // orphans (containers of pods that no longer exist on this node, e.g. deleted while the agent was down).
  const emptyDirs = new EmptyDirMonitor({
    intervalMs: o.emptyDirCheckIntervalMs ?? 10_000,
    pods: () => volumes.setUpPods(),
    evict: (pod, eviction) => {
      const w = workerOf(pod);
      if (w && w.uid === pod.metadata.uid) w.evict(eviction);
    },
    log,
  });
  emptyDirs.start();

  let relisting = false;
  let relistDone: Promise<void> = Promise.resolve();
  let relists = 0;
  const relist = async () => {
    if (relisting) return;
    relisting = true;
    try {
      const all = await runtime.list({ [LABEL_NODE_NAME]: o.nodeName });
      const byUid = new Map<string, ContainerInfo[]>();
      for (const c of all) {
        const uid = c.labels[LABEL_POD_UID];
        byUid.set(uid, [...(byUid.get(uid) ?? []), c]);
      }
      const known = new Map([...workers.values()].map((w) => [w.uid ?? "", w]));
      // A worker is woken when its containers are not as its own last listing saw them, not when
      // they changed since the previous relist: a container made and removed behind the agent's
      // back between two relists (`docker rm -f` within a second) is seen gone all the same.
      for (const [uid, w] of known) if (w.observed !== fingerprint(byUid.get(uid) ?? [])) w.trigger();
      for (const [uid, cs] of byUid) {
        if (known.has(uid)) continue;
        for (const c of cs) {
          await runtime.stop(c.id, 2).then(() => runtime.remove(c.id)).then(() => c.ports.forEach((p) => ports.release(p.hostPort, p.protocol))).catch(() => undefined);
        }
      }
      // Holders of pods that are gone (deleted while the agent was down), every 10th relist.
      if (podNetwork && relists++ % 10 === 0) await podNetwork.collect(new Set(known.keys()));
    } catch (err) {
      log(`relist failed: ${(err as Error).message}`);
    } finally {
      relisting = false;
    }
  };
  const relistTimer = setInterval(() => {
    if (!relisting) relistDone = relist();
  }, o.relistIntervalMs ?? 1000);
  relistTimer.unref();

  let proxy: KernelProxy | undefined;
  if (o.serviceProxy) {
    proxy = new KernelProxy({ client, clusterCIDR: o.clusterCIDR ?? '10.244.0.0/16', nodeName: o.nodeName, slices, log });
    try {
      await proxy.start();
    } catch (err) {
      clearInterval(relistTimer);
      await emptyDirs.stop();
      proxy.stop();
      slices?.stop();
      informer.stop();
      services.stop();
      heartbeat.stop();
      probes.stop();
      certificates?.stop();
      await relistDone;
      await endpoint?.close();
      client.close();
      throw err;
    }
  }

  return {
    nodeName: o.nodeName,
    endpointPort: endpoint?.port ?? 0,
    proxy,
    async stop() {
      clearInterval(relistTimer);
      const measuring = emptyDirs.stop();
      proxy?.stop();
      nodeNetwork?.stop();
      dns?.stop();
      slices?.stop();
      informer.stop();
      services.stop();
      tokens.stop();
      objects.stop();
      claims.stop();
      heartbeat.stop();
      probes.stop();
      certificates?.stop();
      // Let in-flight syncs, the relist and the events they recorded end (bounded: a stop may wait out a grace period), so
      // that no container is created or removed once stop() has resolved.
      let timer: NodeJS.Timeout | undefined;
      const inFlight = Promise.all([relistDone, measuring, ...[...workers.values()].map((w) => w.stop())]).then(() => events.idle());
      await Promise.race([inFlight, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      await endpoint?.close();
      client.close();
    },
  };
}
