// What `skiff agent` does: registers this host's Node (joining with a token when given one) and
// runs the pods bound to it, in Docker or, for hollow nodes, the simulated runtime.
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRootDir, DockerRuntime, ensureNodeIdentity, IDENTITY_FILES, identityDirOf, SimRuntime, startAgent, type Agent } from '@skiff/agent';
import { onShutdown } from '../shutdown.ts';
import { clientOptions, resolveServer, type ServerRef } from '../kubeconfig.ts';
import type { AgentOptions } from '../commands/agent.ts';

/** One node this process runs: its name, state directory and identity directory. */
interface NodeDirs {
  name: string;
  rootDir: string;
  identityDir: string;
}

/** The node, or the N hollow nodes of `--count N` (NAME-1 ... NAME-N, each with directories of its own below ROOT-DIR and IDENTITY-DIR). */
function nodesOf(opts: AgentOptions): NodeDirs[] {
  const rootDir = opts.rootDir ?? defaultRootDir(opts.nodeName);
  if (opts.count === 1) return [{ name: opts.nodeName, rootDir, identityDir: opts.identityDir ?? identityDirOf(rootDir) }];
  return Array.from({ length: opts.count }, (_, k) => {
    const name = `${opts.nodeName}-${k + 1}`;
    const root = join(rootDir, name);
    return { name, rootDir: root, identityDir: opts.identityDir ? join(opts.identityDir, name) : identityDirOf(root) };
  });
}

export async function runAgent(opts: AgentOptions): Promise<void> {
  opts.token ??= process.env.SKIFF_TOKEN || undefined;
  if (opts.runtime === 'docker' && opts.count !== 1) throw new InvalidArgumentError('--count is only for --runtime sim');
  // A simulated node has no network: its pods' addresses (100.64.0.0/10) exist nowhere, so Service
  // rules in this host's kernel would send connections to nothing (and take the host's rules from
  // the agent that should program them).
  if (opts.runtime === 'sim' && opts.serviceProxy) throw new InvalidArgumentError('--service-proxy needs --runtime docker: simulated nodes have no pod network for Services to reach');
  const nodes = nodesOf(opts);
  // A node that joined (now, or before: its certificate is in its identity directory) uses only
  // its own identity; with --count N each hollow node joins, and keeps its identity, by itself.
  const joined = !opts.kubeconfig && (opts.token !== undefined || existsSync(join(nodes[0].identityDir, IDENTITY_FILES.clientCert)));
  if (joined && !opts.server) throw new InvalidArgumentError('joining needs --server https://HOST:6443');
  const shared = joined ? undefined : resolveServer(opts.server, opts.kubeconfig);
  const serverFor = async (node: NodeDirs): Promise<ServerRef> => {
    if (shared) return shared;
    const log = (m: string) => process.stderr.write(`skiff agent ${node.name}: ${m}\n`);
    return { url: opts.server!, ...(await ensureNodeIdentity({ server: opts.server!, joinString: opts.token, nodeName: node.name, dir: node.identityDir, log })) };
  };
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
    const [node] = nodes;
    const runtime = new DockerRuntime({ socketPath: opts.dockerSocket, log: (m) => process.stderr.write(`skiff agent ${node.name}: ${m}\n`) });
    if (!(await runtime.ping())) throw new Error(`the Docker engine does not answer on ${opts.dockerSocket ?? '/var/run/docker.sock'} (is dockerd running?)`);
    const server = await serverFor(node);
    agents.push(await startAgent({ ...clientOptions(server), nodeName: node.name, nodeIP: opts.nodeIp, runtime, port: opts.port, capacity, backoff, serviceProxy: opts.serviceProxy, rootDir: node.rootDir, identityDir: joined ? node.identityDir : undefined, clusterCIDR: opts.clusterCidr, podNetwork: opts.podNetwork, signal }));
  } else {
    // A hollow node serves the agent endpoint as a node does (logs and exec answered by the
    // simulated runtime; over TLS with a serving certificate it asks for by CSR). Hollow nodes
    // that joined each have their own identity and serve theirs on a port the system picks (they
    // share the address; each Node says its port). Hollow nodes sharing one kubeconfig share one
    // identity, which can get no node's serving certificate (only a node may ask for its own):
    // those serve none.
    const serveEndpoint = joined || opts.count === 1;
    for (const node of nodes) {
      const runtime = new SimRuntime({ startLatencyMs: opts.simStartLatency });
      const server = await serverFor(node);
      agents.push(await startAgent({ ...clientOptions(server), nodeName: node.name, nodeIP: opts.nodeIp, runtime, serveEndpoint, port: opts.count === 1 ? opts.port : 0, capacity, backoff, identityDir: joined ? node.identityDir : undefined, rootDir: node.rootDir, signal }));
    }
  }
  process.stdout.write(`skiff agent: ${agents.length === 1 ? `node ${agents[0].nodeName}` : `${agents.length} hollow nodes`} registered with ${shared?.url ?? opts.server}\n`);
}
