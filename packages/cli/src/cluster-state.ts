// The state of a local cluster started by `skiff up`, kept in DATA_DIR/cluster.json so that
// `skiff down` (and a second `skiff up`) can find its processes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterState {
  server: string;
  dataDir: string;
  processes: { role: string; pid: number; log: string }[];
  nodes: string[];
  /** The pods' address range the cluster was started with (its forwarding rules name it). */
  clusterCIDR?: string;
  /** With `skiff up --netns`: how many hosts (namespaces with engines) were made. */
  netnsHosts?: number;
}

export const stateFile = (dataDir: string) => join(dataDir, 'cluster.json');

export function readState(dataDir: string): ClusterState | undefined {
  const f = stateFile(dataDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as ClusterState) : undefined;
}

export function writeState(state: ClusterState): void {
  writeFileSync(stateFile(state.dataDir), JSON.stringify(state, null, 2));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
