// `skiff agent` (alias `join`): its options and help; the agent itself loads only when it runs.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parsePort, parseWholeNumber } from '../options.ts';

export interface AgentOptions {
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
    .option('--port <port>', 'port of the agent endpoint (logs, exec) on the node IP (a hollow node serves it too; the hollow nodes of --count N on ports the system picks, when they joined with --token: sharing one --kubeconfig they serve none)', parsePort, 10250)
    .option('--count <n>', 'with --runtime sim: run this many hollow nodes in one process (NAME-1 ... NAME-N, state in ROOT-DIR/NAME-i; with --token each joins by itself)', parseWholeNumber, 1)
    .option('--cpu <quantity>', 'CPU capacity to report instead of the host\'s')
    .option('--memory <quantity>', 'memory capacity to report instead of the host\'s')
    .option('--pods <n>', 'maximum pods on this node', '110')
    .option('--backoff-base <ms>', 'crash-loop back-off base (Kubernetes: 10000)', parseWholeNumber, 10_000)
    .option('--service-proxy', "program this host's kernel for Services (one agent per network namespace; not with --runtime sim, whose pods have no network)")
    .option('--cluster-cidr <cidr>', "the pods' address range (routes, forwarding rules, masquerade)", '10.244.0.0/16')
    .option('--docker-socket <path>', "the Docker engine's socket (default: DOCKER_HOST, else /var/run/docker.sock)")
    .option('--no-pod-network', 'no network of their own for pods: publish container ports on the node IP instead')
    .option('--root-dir <dir>', "the agent's state: pods' emptyDirs, projected files and termination messages; Localhost seccomp profiles in DIR/seccomp (default /var/lib/skiff/agent/NODE)")
    .option('--identity-dir <dir>', "where a joined node keeps its certificates and node password (default ROOT-DIR/pki)")
    .option('--sim-start-latency <ms>', 'with --runtime sim: simulated container start latency', parseWholeNumber, 0)
    .action(async (opts: AgentOptions) => (await import('../actions/agent.ts')).runAgent(opts));
}

function parseRuntime(v: string): 'docker' | 'sim' {
  if (v !== 'docker' && v !== 'sim') throw new InvalidArgumentError('must be docker or sim');
  return v;
}

function defaultNodeName(): string {
  return (process.env.HOSTNAME || 'node').toLowerCase();
}
