// What `skiff down` does: stops the processes `skiff up` started (agents first), then removes
// their containers, pod networks, kernel rules and the agents' state.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DockerRuntime, removeAgentState, removeAllRoutes, removeClusterRules, removeNodeNetwork } from '@skiff/agent';
import { isAlive, readState, stateFile } from '../cluster-state.ts';
import { waitFor } from '../wait.ts';
import { removeHosts } from '../netns/hosts.ts';
import { planNetnsHosts } from '../netns/plan.ts';
import type { DownOptions } from '../commands/down.ts';

export async function runDown(opts: DownOptions): Promise<void> {
  const state = readState(opts.dataDir);
  if (!state) {
    process.stdout.write(`no cluster found in ${opts.dataDir}\n`);
    return;
  }
  // Agents first, so that none restarts a container while the server goes away.
  const ordered = [...state.processes.filter((p) => p.role !== 'server'), ...state.processes.filter((p) => p.role === 'server')];
  for (const p of ordered) {
    if (!isAlive(p.pid)) continue;
    process.kill(p.pid, 'SIGTERM');
    await waitFor(async () => !isAlive(p.pid), { timeoutMs: 10_000, what: `${p.role} (pid ${p.pid}) to stop` }).catch(() => process.kill(p.pid, 'SIGKILL'));
    process.stdout.write(`stopped ${p.role}\n`);
  }
  if (state.netnsHosts) {
    // The hosts go whole: engines (with their containers), namespaces (with their rules and routes), the bridge.
    const problems = await removeHosts(planNetnsHosts(state.netnsHosts, opts.dataDir));
    for (const p of problems) process.stdout.write(`could not remove ${p}\n`);
    process.stdout.write(`removed ${state.netnsHosts} hosts (engines, namespaces, bridge)\n`);
    await removeAgentState(join(opts.dataDir, 'agents'));
  } else if (!opts.keepContainers) {
    const docker = new DockerRuntime();
    if (await docker.ping()) {
      let removed = 0;
      for (const node of state.nodes) {
        for (const c of await docker.list({ 'dev.skiff.node': node })) {
          await docker.remove(c.id);
          removed++;
        }
        removed += await removeNodeNetwork(docker.engine, node);
      }
      process.stdout.write(`removed ${removed} container${removed === 1 ? '' : 's'} and the pod networks\n`);
    }
    // The kernel's side: service rules, the pod network's forwarding rules, routes to pod CIDRs.
    const failed = await Promise.all([removeClusterRules(state.clusterCIDR ?? '10.244.0.0/16'), removeAllRoutes()].map((p) => p.then(() => undefined, (err: Error) => err.message)));
    for (const f of failed) if (f) process.stdout.write(`could not remove every network rule: ${f}\n`);
    // The pods' emptyDirs and projected files (tmpfs mounts included) go with their containers.
    await removeAgentState(join(opts.dataDir, 'agents'));
  }
  rmSync(stateFile(opts.dataDir), { force: true });
  if (opts.purge) rmSync(opts.dataDir, { recursive: true, force: true });
  process.stdout.write('skiff is down\n');
}
