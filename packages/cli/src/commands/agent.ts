import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRootDir, DockerRuntime, ensureNodeIdentity, IDENTITY_FILES, identityDirOf, SimRuntime, startAgent, type Agent } from '@skiff/agent';
import { parsePort, parsePositiveInt } from '../options.ts';
import { onShutdown } from '../shutdown.ts';
import { clientOptions, resolveServer, type ServerRef } from '../kubeconfig.ts';

interface AgentOptions {
  server?: string;
  kubeconfig?: string;
  token?: string;
  nodeName: string;
  nodeIp: string;
  runtime: 'docker' | 'sim';
  port: number;
  count: number;
  cpu?: string;
  memory?: string;
  pods?: string;
  backoffBase: number;
  simStartLatency: number;
  serviceProxy?: boolean;
  clusterCidr: string;
  podNetwork: boolean;
  dockerSocket?: string;
  rootDir?: string;
  identityDir?: string;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .alias('join')
    .description('run a node agent: registers a Node and runs the pods bound to it as containers (`skiff join --server URL --token JOIN-STRING` joins a cluster)')
    .option('--server <urls>', 'API server URL, or several separated by commas to fail over between (default: the kubeconfig written by skiff up, else https://127.0.0.1:6443)')
    .option('--kubeconfig <file>', "kubeconfig with the server, its CA and the node's client certificate")
    .option('--token <join-string>', 'join the cluster at --server with this join string (`skiff token create` prints one; also $SKIFF_TOKEN): the CA is checked against its hash, then the node gets a certificate of its own, kept in ROOT-DIR/pki and used from then on')
    .option('--node-name <name>', 'name of the Node to register', defaultNodeName())
    .option('--node-ip <ip>', "the node's address: routes to its pods, NodePorts and logs/exec are on it", '127.0.0.1')
    .option('--runtime <runtime>', 'container runtime: docker or sim (simulated, for scale tests)', parseRuntime, 'docker')
    .option('--port <port>', 'port of the agent endpoint (logs, exec) on the node IP', parsePort, 10250)
    .option('--count <n>', 'with --runtime sim: run this many hollow nodes in one process (NAME-1 ... NAME-N)', parsePositiveInt, 1)
    .option('--cpu <quantity>', 'CPU capacity to report instead of the host\'s')
    .option('--memory <quantity>', 'memory capacity to report instead of the host\'s')
    .option('--pods <n>', 'maximum pods on this node', '110')
    .option('--backoff-base <ms>', 'crash-loop back-off base (Kubernetes: 10000)', parsePositiveInt, 10_000)
    .option('--service-proxy', "program this host's kernel for Services (one agent per network namespace)")
    .option('--cluster-cidr <cidr>', "the pods' address range (routes, forwarding rules, masquerade)", '10.244.0.0/16')
    .option('--docker-socket <path>', "the Docker engine's socket (default: DOCKER_HOST, else /var/run/docker.sock)")
    .option('--no-pod-network', 'no network of their own for pods: publish container ports on the node IP instead')
    .option('--root-dir <dir>', "the agent's state: pods' emptyDirs, projected files and termination messages; Localhost seccomp profiles in DIR/seccomp (default /var/lib/skiff/agent/NODE)")
    .option('--identity-dir <dir>', "where a joined node keeps its certificates and node password (default ROOT-DIR/pki)")
    .option('--sim-start-latency <ms>', 'with --runtime sim: simulated container start latency', parsePositiveInt, 0)
    .action(async (opts: AgentOptions) => {
      opts.token ??= process.env.SKIFF_TOKEN || undefined;
      const rootDir = opts.rootDir ?? defaultRootDir(opts.nodeName);
      const identityDir = opts.identityDir ?? identityDirOf(rootDir);
      // A node that joined (now, or before: its certificate is in its identity directory) uses only its own identity.
      const joined = !opts.kubeconfig && (opts.token !== undefined || existsSync(join(identityDir, IDENTITY_FILES.clientCert)));
      if (joined && opts.count !== 1) throw new InvalidArgumentError('--token joins one node; --count is for hollow nodes with --kubeconfig');
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
        // Hollow nodes share one process and one address; they serve no endpoint of their own.
        for (let i = 1; i <= opts.count; i++) {
          const nodeName = opts.count === 1 ? opts.nodeName : `${opts.nodeName}-${i}`;
          const runtime = new SimRuntime({ startLatencyMs: opts.simStartLatency });
          agents.push(await startAgent({ ...clientOptions(server), nodeName, nodeIP: opts.nodeIp, runtime, serveEndpoint: false, capacity, backoff, identityDir: joined ? identityDir : undefined, rootDir: opts.count === 1 ? rootDir : undefined, signal }));
        }
      }
      process.stdout.write(`skiff agent: ${agents.length === 1 ? `node ${agents[0].nodeName}` : `${agents.length} hollow nodes`} registered with ${server.url}\n`);
    });
}

function parseRuntime(v: string): 'docker' | 'sim' {
  if (v !== 'docker' && v !== 'sim') throw new InvalidArgumentError('must be docker or sim');
  return v;
}

function defaultNodeName(): string {
  return (process.env.HOSTNAME || 'node').toLowerCase();
}
