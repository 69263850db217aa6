// Hairpin traffic: a pod that connects to a Service's ClusterIP and is DNATed to itself. With
// bridge netfilter on (Docker turns it on), the DNAT happens as the frame enters the bridge, and the
// bridge then forwards the frame back out of the port it came in on, which a Linux bridge refuses
// unless the port is in hairpin mode; the SYN is dropped and the client retries until the random
// choice picks another endpoint, or hangs when the pod is the only one. The kubelet sets hairpin
// mode on pods' veths for the same reason (--hairpin-mode=hairpin-veth); Docker does not (only with
// its userland proxy off). The agent sets it on every port of its pod network's bridge after a
// holder starts. Through `ip` (netlink), which acts in the agent's network namespace, where a
// node made by `skiff up --netns` has its bridge; /sys/class/net would show another's.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The ports of a bridge whose hairpin mode is off, from `ip -d -o link show master BRIDGE`. */
export function portsWithoutHairpin(ipOutput: string): string[] {
  return ipOutput.split('\n').flatMap((line) => {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    return name && /\bbridge_slave\b.*\bhairpin off\b/.test(line) ? [name] : [];
  });
}

export async function enableHairpin(bridge: string): Promise<void> {
  const { stdout } = await run('ip', ['-d', '-o', 'link', 'show', 'master', bridge]);
  for (const port of portsWithoutHairpin(stdout)) await run('ip', ['link', 'set', 'dev', port, 'type', 'bridge_slave', 'hairpin', 'on']);
}
