// What `skiff agent` does: registers this host's Node (joining with a token when given one) and
// runs the pods bound to it, in Docker or, for hollow nodes, the simulated runtime.
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRootDir, DockerRuntime, ensureNodeIdentity, IDENTITY_FILES, identityDirOf, SimRuntime, startAgent, type Agent } from '@skiff/agent';
import { onShutdown } from '../shutdown.ts';
import { clientOptions, resolveServer, type ServerRef } from '../kubeconfig.ts';
import type { AgentOptions } from '../commands/agent.ts';

export async function runAgent(opts: AgentOptions): Promise<void> {
  opts.token ??= process.env.SKIFF_TOKEN || undefined;
  const rootDir = opts.rootDir ?? defaultRootDir(opts.nodeName);
  const identityDir = opts.identityDir ?? identityDirOf(rootDir);
  // A node that joined (now, or before: its certificate is in its identity directory) uses only its own identity.
  const joined = !opts.kubeconfig && (opts.token !== undefined || existsSync(join(identityDir, IDENTITY_FILES.clientCert)));
  if (joined && opts.count !== 1) throw new InvalidArgumentError('--token joins one node; --count is for hollow nodes with --kubeconfig');
  // A simulated node has no network: its pods' addresses (100.64.0.0/10) exist nowhere, so Service
  // rules in this host's kernel would send connections to nothing (and take the host's rules from
  // the agent that should program them).
  if (opts.runtime === 'sim' && opts.serviceProxy) throw new InvalidArgumentError('--service-proxy needs --runtime docker: simulated nodes have no pod network for Services to reach');
  let server: ServerRef;
  if (joined) {
    if (!opts.server) throw new InvalidArgumentError('joining needs --server https://HOST:6443');
    const id = await ensureNodeIdentity({ server: opts.server, joinString: opts.token, nodeName: opts.nodeName, dir: identityDir, log: (m) => process.stderr.write(`skiff agent ${opts.nodeName}: ${m}\n`) });
    server = { url: opts.server, ...id };
  } else server = resolveServer(opts.server, opts.kubeconfig);
  const agents: Agent[] = [];
  const capacity = { cpu: opts.cpu, memory: opts.memory, pods: opts.pods };
  const backoff = { baseMs: opts.backoffBase, maxMs: Math.max(opts.backoffBase, 300_000) };
  // SIGINT/SIGTERM stop a registration that is still retrying (an API server not up yet), then
  // the agents that did start.
  const registration = new AbortController();
  const signal = registration.signal;
  onShutdown(async () => {
    registration.abort();
    await Promise.all(agents.map((a) => a.stop()));
  });
  if (opts.runtime === 'docker') {
    if (opts.count !== 1) throw new InvalidArgumentError('--count is only for --runtime sim');
    const runtime = new DockerRuntime({ socketPath: opts.dockerSocket });
    if (!(await runtime.ping())) throw new Error(`the Docker engine does not answer on ${opts.dockerSocket ?? '/var/run/docker.sock'} (is dockerd running?)`);
    agents.push(await startAgent({ ...clientOptions(server), nodeName: opts.nodeName, nodeIP: opts.nodeIp, runtime, port: opts.port, capacity, backoff, serviceProxy: opts.serviceProxy, rootDir, identityDir: joined ? identityDir : undefined, clusterCIDR: opts.clusterCidr, podNetwork: opts.podNetwork, signal }));
  } else {
    // One hollow node serves the agent endpoint on --port as a node does (logs and exec answered by
    // the simulated runtime, over TLS with a serving certificate asked for by CSR). Several share
    // one process, one address and one identity, which can get no serving certificate for each of
    // them (only a node may ask for its own): they serve none.
    const serveEndpoint = false;
    for (let i = 1; i <= opts.count; i++) {
      const nodeName = opts.count === 1 ? opts.nodeName : `${opts.nodeName}-${i}`;
      const runtime = new SimRuntime({ startLatencyMs: opts.simStartLatency });
      agents.push(await startAgent({ ...clientOptions(server), nodeName, nodeIP: opts.nodeIp, runtime, serveEndpoint, port: opts.port, capacity, backoff, identityDir: joined ? identityDir : undefined, rootDir: opts.count === 1 ? rootDir : undefined, signal }));
    }
  }
  process.stdout.write(`skiff agent: ${agents.length === 1 ? `node ${agents[0].nodeName}` : `${agents.length} hollow nodes`} registered with ${server.url}\n`);
}
