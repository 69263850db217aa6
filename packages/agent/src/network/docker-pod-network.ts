// The pod network on a Docker engine. Every node has one bridge network whose subnet is the
// node's pod CIDR (spec.podCIDR, from the node-IPAM controller), so pod IPs are unique in the
// cluster. Every pod gets a holder container on that network (./holder-image.ts): it owns the
// pod's network namespace, its IP, its hostname, its resolv.conf and its hostPorts, and the app
// containers join it (`container:<holder>`), so they share `localhost` and keep the namespace
// when they restart. hostNetwork pods use the host's network and have no holder.
import { enableHairpin } from './hairpin.ts';
import { writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { cidrAddress, parseIPv4CIDR, type KubeObject } from '@skiff/api';
import { renderResolvConf } from '../dns/pod-dns.ts';
import { ensureHolderImage, HOLDER_IMAGE } from './holder-image.ts';
import type { PodNetwork, PodSandbox } from './types.ts';

const LABEL_HOLDER_POD_UID = 'dev.skiff.holder.pod-uid';
const LABEL_HOLDER_NODE = 'dev.skiff.holder.node';
const LABEL_NETWORK_NODE = 'dev.skiff.network.node';

/** What the pod's resolv.conf says (./dns-config.ts computes it per dnsPolicy). */
export interface PodDNS {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface DockerPodNetworkOptions {
  docker: Docker;
  nodeName: string;
  nodeIP: string;
  /** Resolves with the node's pod CIDR once the node-IPAM controller has given it one. */
  podCIDR(): Promise<string>;
  /** resolv.conf of a pod (undefined: the engine's default, i.e. the host's). */
  dns?(pod: KubeObject): PodDNS | undefined;
  /** Called once the node's network is up, with its gateway address (where cluster DNS listens). */
  onReady?(gateway: string): Promise<void>;
  log(message: string): void;
}

/** Docker's name for the node's pod network. */
export function podNetworkName(nodeName: string): string {
  return `skiff-pods-${nodeName}`.slice(0, 64);
}

export class DockerPodNetwork implements PodNetwork {
  private readonly o: DockerPodNetworkOptions;
  private bridgeName?: string;
  private ready?: Promise<string>;

  constructor(o: DockerPodNetworkOptions) {
    this.o = o;
  }

  /** Creates the node's network (and the holder image) once; resolves with the network's name. */
  prepare(): Promise<string> {
    this.ready ??= (async () => {
      const cidr = await this.o.podCIDR();
      await ensureHolderImage(this.o.docker);
      const name = await this.ensureNetwork(cidr);
      await this.o.onReady?.(cidrAddress(parseIPv4CIDR(cidr)!, 1));
      return name;
    })().catch((err) => {
      this.ready = undefined; // try again on the next pod
      throw err;
    });
    return this.ready;
  }

  private async ensureNetwork(cidr: string): Promise<string> {
    const { docker, nodeName } = this.o;
    const name = podNetworkName(nodeName);
    const block = parseIPv4CIDR(cidr);
    if (!block) throw new Error(`node ${nodeName} has an invalid pod CIDR ${cidr}`);
    const existing = await docker.getNetwork(name).inspect().catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return undefined;
      throw err;
    });
    const subnet = existing?.IPAM?.Config?.[0]?.Subnet as string | undefined;
    if (existing && subnet === cidr) return name;
    if (existing) {
      // The node got a new block (a re-created cluster): the old network must go first.
      this.o.log(`pod network ${name} has subnet ${subnet}, the node's pod CIDR is ${cidr}: re-creating it`);
      await docker.getNetwork(name).remove();
    }
    this.bridgeName = undefined;
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: cidr, Gateway: cidrAddress(block, 1) }] },
      // Masquerade for traffic leaving the cluster; pod-to-pod traffic is exempted (./host-rules.ts).
      Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'true' },
      Labels: { [LABEL_NETWORK_NODE]: nodeName },
    });
    this.o.log(`pod network ${name} created on ${cidr}`);
    return name;
  }

  async ensure(pod: KubeObject): Promise<PodSandbox> {
    if (pod.spec?.hostNetwork) return this.hostSandbox(pod);
    const found = await this.holders(pod.metadata.uid ?? '');
    const live = found.find((h) => h.State === 'running');
    if (live) return this.sandboxOf(live.Id);
    // A stopped holder took the namespace with it: its containers are re-created in a new one.
    for (const h of found) await this.removeContainer(h.Id);
    const network = await this.prepare();
    const id = await this.createHolder(pod, network);
    return this.sandboxOf(id);
  }

  async find(pod: KubeObject): Promise<PodSandbox | undefined> {
    if (pod.spec?.hostNetwork) return this.hostSandbox(pod);
    const live = (await this.holders(pod.metadata.uid ?? '')).find((h) => h.State === 'running');
    return live ? this.sandboxOf(live.Id) : undefined;
  }

  /**
   * A hostNetwork pod has no holder: its containers use the host's network and, unless its
   * dnsPolicy says otherwise (ClusterFirstWithHostNet, None, a dnsConfig), the host's resolv.conf.
   * The cluster DNS listens on the pod network's gateway, so that network is made first.
   */
  private async hostSandbox(pod: KubeObject): Promise<PodSandbox> {
    const sandbox: PodSandbox = { id: '', ip: this.o.nodeIP, networkMode: 'host' };
    if (!this.o.dns) return sandbox;
    await this.prepare();
    const dns = this.o.dns(pod);
    return dns ? { ...sandbox, resolvConf: renderResolvConf(dns) } : sandbox;
  }

  async remove(podUid: string): Promise<void> {
    for (const h of await this.holders(podUid)) await this.removeContainer(h.Id);
  }

  async collect(liveUids: ReadonlySet<string>): Promise<void> {
    const all = await this.o.docker.listContainers({ all: true, filters: { label: [`${LABEL_HOLDER_NODE}=${this.o.nodeName}`] } });
    for (const h of all) if (!liveUids.has(h.Labels[LABEL_HOLDER_POD_UID])) await this.removeContainer(h.Id);
  }

  private holders(podUid: string) {
    return this.o.docker.listContainers({ all: true, filters: { label: [`${LABEL_HOLDER_POD_UID}=${podUid}`, `${LABEL_HOLDER_NODE}=${this.o.nodeName}`] } });
  }

  private async sandboxOf(id: string): Promise<PodSandbox> {
    const info = await this.o.docker.getContainer(id).inspect();
    const ip = info.NetworkSettings.Networks?.[podNetworkName(this.o.nodeName)]?.IPAddress || undefined;
    return { id, ip, networkMode: `container:${id}` };
  }

  private async createHolder(pod: KubeObject, network: string): Promise<string> {
    const m = pod.metadata;
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    // hostPorts belong to the pod's namespace, hence to its holder.
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])] as { ports?: { containerPort: number; hostPort?: number; hostIP?: string; protocol?: string }[] }[]) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort) continue;
        const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
        exposed[key] = {};
        (bindings[key] ??= []).push({ HostIp: p.hostIP || this.o.nodeIP, HostPort: String(p.hostPort) });
      }
    }
    const dns = this.o.dns?.(pod);
    const c = await this.o.docker.createContainer({
      name: `skiff_${m.namespace}_${m.name}_POD_${(m.uid ?? '').slice(0, 8)}_${Date.now().toString(36)}`,
      Image: HOLDER_IMAGE,
      Hostname: podHostname(pod),
      Domainname: pod.spec?.subdomain ? `${pod.spec.subdomain}.${m.namespace}.svc.cluster.local` : undefined,
      Labels: {
        [LABEL_HOLDER_POD_UID]: m.uid ?? '',
        [LABEL_HOLDER_NODE]: this.o.nodeName,
        // Not the kubelet's io.kubernetes.pod.* labels: those select a pod's app containers.
        'dev.skiff.holder.pod': `${m.namespace}/${m.name}`,
      },
      ExposedPorts: exposed,
      HostConfig: {
        NetworkMode: network,
        PortBindings: bindings,
        RestartPolicy: { Name: 'no' },
        Dns: dns?.servers,
        DnsSearch: dns?.searches,
        DnsOptions: dns?.options,
        // Holds a namespace and nothing else.
        Memory: 16 * 1024 * 1024,
        CpuShares: 2,
      },
    });
    await c.start();
    if (dns) await this.writeResolvConf(c.id, dns);
    // So that the pod reaches its own Services' ClusterIPs when it is the endpoint chosen (./hairpin.ts).
    await enableHairpin(await this.bridge(network)).catch((err: Error) => this.o.log(`cannot set hairpin mode on the pod network's bridge (a pod calling a Service it backs may hang): ${err.message}`));
    return c.id;
  }

  /** The Linux bridge of the node's Docker network (Docker names it br-<12 hex of the network id> unless told otherwise). */
  private async bridge(network: string): Promise<string> {
    if (this.bridgeName) return this.bridgeName;
    const info = await this.o.docker.getNetwork(network).inspect();
    this.bridgeName = (info.Options?.['com.docker.network.bridge.name'] as string | undefined) ?? `br-${(info.Id as string).slice(0, 12)}`;
    return this.bridgeName;
  }

  /**
   * On a user-defined network Docker points resolv.conf at its embedded resolver (127.0.0.11),
   * which relays to the servers given. The pod's resolv.conf is written as the kubelet writes it
   * instead, so the pod asks the cluster DNS directly. The app containers share the holder's file
   * (a container joining another's network uses its resolv.conf), and Docker leaves a file it did
   * not write alone. Without access to the engine's files (a remote engine) the relay remains.
   */
  private async writeResolvConf(id: string, dns: PodDNS): Promise<void> {
    const path = (await this.o.docker.getContainer(id).inspect()).ResolvConfPath;
    await writeFile(path, renderResolvConf(dns)).catch((err: Error) => this.o.log(`cannot write the pod's resolv.conf (${err.message}); its DNS goes through Docker's relay`));
  }

  private async removeContainer(id: string): Promise<void> {
    await this.o.docker.getContainer(id).remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
    });
  }
}

/** The pod's hostname, as the kubelet sets it: spec.hostname, else the pod's name (63 chars at most). */
export function podHostname(pod: KubeObject): string {
  return (pod.spec?.hostname || pod.metadata.name || '').slice(0, 63).replace(/[-.]+$/, '');
}

/** Removes a node's holders and its pod network from an engine (skiff down, tests). */
export async function removeNodeNetwork(docker: Docker, nodeName: string): Promise<number> {
  const holders = await docker.listContainers({ all: true, filters: { label: [`${LABEL_HOLDER_NODE}=${nodeName}`] } });
  for (const h of holders) {
    await docker.getContainer(h.Id).remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
    });
  }
  await docker.getNetwork(podNetworkName(nodeName)).remove().catch((err: { statusCode?: number }) => {
    if (err.statusCode !== 404) throw err;
  });
  return holders.length;
}
