// The address containers on an engine's default `bridge` network reach the host at: the network's
// gateway (docker0's address, usually 172.17.0.1). Engines do not always report it: Debian's
// dockerd 20.10, started when docker0 already has its address, lists the bridge's IPAM config with
// its Subnet only. The bridge interface's own IPv4 address is the same gateway, so it answers
// then, read with `ip -j addr` (Node's os.networkInterfaces() leaves out an interface that is not
// running, as docker0 is while no container is attached to it).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const run = promisify(execFile);

/** The parts of `docker network inspect bridge` read here. */
export interface BridgeNetwork {
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null } | null;
  Options?: Record<string, string> | null;
}

/** The IPv4 gateway the engine reports, if it does. */
export function reportedGateway(net: BridgeNetwork): string | undefined {
  return (net.IPAM?.Config ?? []).map((c) => c.Gateway).find((g): g is string => !!g && !g.includes(':'));
}

/** The host interface of the bridge: docker0 unless the engine was told another name. */
export function bridgeInterface(net: BridgeNetwork): string {
  return net.Options?.['com.docker.network.bridge.name'] || 'docker0';
}

/** The first IPv4 address in `ip -j addr show dev NAME`'s output; undefined when it has none. */
export function firstIPv4(ipJson: string): string | undefined {
  const links = JSON.parse(ipJson) as { addr_info?: { family?: string; local?: string }[] }[];
  return links.flatMap((l) => l.addr_info ?? []).find((a) => a.family === 'inet' && a.local)?.local;
}

/** The gateway of `engine`'s default bridge network; undefined when the engine has none, or it cannot be told. */
export async function defaultBridgeGateway(engine: Docker): Promise<string | undefined> {
  let net: BridgeNetwork;
  try {
    net = (await engine.getNetwork('bridge').inspect()) as BridgeNetwork;
  } catch {
    return undefined;
  }
  const reported = reportedGateway(net);
  if (reported) return reported;
  try {
    return firstIPv4((await run('ip', ['-j', '-4', 'addr', 'show', 'dev', bridgeInterface(net)])).stdout);
  } catch {
    // No such interface here (the engine runs on another host), or no iproute2.
    return undefined;
  }
}
