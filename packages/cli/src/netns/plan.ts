// Pure: the layout of `skiff up --netns`: every node a network namespace of its own with its own
// Docker engine, all joined by one bridge in the machine's namespace on a private test subnet.
//
//   root namespace: bridge skiff-br (10.250.0.1/24) -- API server listens here
//     |-- veth skiff-h1 <-> eth0 in netns skiff-h1 (10.250.0.2), dockerd, agent node-1
//     |-- veth skiff-h2 <-> eth0 in netns skiff-h2 (10.250.0.3), dockerd, agent node-2
//     ...
import { join } from 'node:path';

export const BRIDGE = 'skiff-br';
export const SUBNET_PREFIX = '10.250.0';

export interface HostPlan {
  node: string;
  netns: string;
  /** Root-namespace end of the veth pair. */
  veth: string;
  ip: string;
  /** The engine's data root, exec root, socket and pid file. */
  dockerDir: string;
  socket: string;
}

export interface NetnsPlan {
  bridge: string;
  gateway: string;
  hosts: HostPlan[];
}

export function planNetnsHosts(count: number, dataDir: string): NetnsPlan {
  if (count < 1 || count > 250) throw new Error('--netns supports 1 to 250 nodes');
  const hosts: HostPlan[] = [];
  for (let i = 1; i <= count; i++) {
    const dockerDir = join(dataDir, 'hosts', `h${i}`);
    hosts.push({ node: `node-${i}`, netns: `skiff-h${i}`, veth: `skiff-h${i}`, ip: `${SUBNET_PREFIX}.${i + 1}`, dockerDir, socket: join(dockerDir, 'docker.sock') });
  }
  return { bridge: BRIDGE, gateway: `${SUBNET_PREFIX}.1`, hosts };
}
