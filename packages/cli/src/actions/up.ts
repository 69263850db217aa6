// What `skiff up` does: a local cluster from this checkout, the server and N node agents as
// detached processes (optionally each in a network namespace with a Docker engine of its own),
// recorded in the data directory's state file for `skiff down`.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultBridgeGateway, DockerRuntime } from '@skiff/agent';
import { bootstrapTokenSecret, caHash, formatJoinString, newBootstrapToken, NODES, SECRETS, type KubeObject, type Node } from '@skiff/api';
import { RestClient } from '@skiff/client';
import { isAlive, readState, writeState, type ClusterState } from '../cluster-state.ts';
import { clientOptions, readKubeconfig } from '../kubeconfig.ts';
import { waitFor } from '../wait.ts';
import { nodesNotReadySince } from '../nodes-ready.ts';
import { copyImages, createNetwork, localImages, startEngine } from '../netns/hosts.ts';
import { planNetnsHosts } from '../netns/plan.ts';
import type { UpOptions } from '../commands/up.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export async function runUp(opts: UpOptions): Promise<void> {
  const say = (m: string) => process.stdout.write(m);
  mkdirSync(opts.dataDir, { recursive: true });
  const existing = readState(opts.dataDir);
  if (existing && existing.processes.some((p) => isAlive(p.pid))) {
    throw new Error(`a cluster is already running from ${opts.dataDir} (API server ${existing.server}); run 'skiff down' first`);
  }
  if (opts.runtime === 'docker' && !(await new DockerRuntime().ping())) {
    throw new Error('the Docker engine does not answer on /var/run/docker.sock; start dockerd (scripts/quickstart.sh installs and starts it), or use --runtime sim');
  }
  const plan = opts.netns ? planNetnsHosts(opts.nodes, opts.dataDir) : undefined;
  if (plan && opts.runtime !== 'docker') throw new Error('--netns needs --runtime docker');
  // With --netns the API server listens on the bridge, where the namespaced agents reach it.
  const host = plan ? plan.gateway : '127.0.0.1';
  const server = `https://${host}:${opts.port}`;
  // Something already answering there would be mistaken for our server once it is "ready".
  if (!plan && (await portAnswers(opts.port))) {
    throw new Error(`127.0.0.1:${opts.port} is already in use (a cluster from another data directory, or another program); stop it or choose --port`);
  }
  const state: ClusterState = { server, dataDir: opts.dataDir, processes: [], nodes: [], clusterCIDR: '10.244.0.0/16', netnsHosts: plan?.hosts.length };
  const launch = (role: string, args: string[], netns?: string, env?: NodeJS.ProcessEnv) => {
    const log = join(opts.dataDir, `${role}.log`);
    const fd = openSync(log, 'a');
    const spawnOpts = { detached: true, stdio: ['ignore', fd, fd] as ['ignore', number, number], env: env ? { ...process.env, ...env } : process.env };
    // nsenter executes the program itself (no fork): the pid recorded is the agent's.
    const child = netns
      ? spawn('nsenter', [`--net=/var/run/netns/${netns}`, process.execPath, MAIN, ...args], spawnOpts)
      : spawn(process.execPath, [MAIN, ...args], spawnOpts);
    child.unref();
    state.processes.push({ role, pid: child.pid!, log });
    writeState(state);
  };

  if (plan) {
    writeState(state); // from here on, skiff down can remove what was made
    say(`making ${plan.hosts.length} hosts (network namespaces with their own Docker engines) ...`);
    await createNetwork(plan);
    const images = await localImages();
    await Promise.all(plan.hosts.map(async (h) => {
      await startEngine(h);
      await copyImages(h, images);
    }));
    say(' ready\n');
  }
  say(`starting the server (API server, scheduler, controller manager) on ${server} ...`);
  const dataDir = join(opts.dataDir, 'data');
  // Pods reach the API server (the kubernetes Service) at an address of this host they can
  // route to: the bridge under --netns (the server listens there anyway), else the Docker
  // engine's default bridge gateway, where the server listens too (ADR 0017).
  const advertise = plan ? [] : await defaultBridgeGateway(new DockerRuntime().engine).then((gw) => (gw ? ['--advertise-address', gw] : []));
  if (!plan && advertise.length === 0) say(' (the Docker engine has no default bridge: pods will not reach the API server)');
  launch('server', ['server', '--data-dir', dataDir, '--port', String(opts.port), '--host', host, '--tls-san', host, ...advertise]);
  // Ready once its admin kubeconfig exists and the server answers over TLS with that CA.
  const adminKubeconfig = join(dataDir, 'admin.kubeconfig');
  let admin: RestClient | undefined;
  await waitFor(async () => {
    if (!existsSync(adminKubeconfig)) return false;
    const ref = readKubeconfig(adminKubeconfig);
    if (!ref || ref.url !== server) return false;
    admin ??= new RestClient({ ...clientOptions(ref), timeoutMs: 5000 });
    return (await admin.transport.request({ method: 'GET', path: '/readyz' })).status === 200;
  }, {
    timeoutMs: 60_000,
    what: `the API server at ${server} (see ${join(opts.dataDir, 'server.log')})`,
    failed: () => exited(state, 'server'),
  });
  // Ready, but is it ours? A server started elsewhere meanwhile would answer too.
  await new Promise((r) => setTimeout(r, 300));
  const died = exited(state, 'server');
  if (died) throw new Error(died);
  say(' ready\n');

  // The agents join as hosts do (ADR 0019): a bootstrap token of an hour, its join string in
  // each agent's environment (never on a command line), the CA checked against its hash, a
  // CSR for the node's certificate. Each node keeps its identity (certificates, node
  // password) in DATA/identities/NAME, which `skiff down` leaves, so a later `skiff up` on the
  // same data finds its nodes' names still theirs.
  const token = newBootstrapToken();
  await admin!.create(SECRETS, bootstrapTokenSecret({ id: token.id, secret: token.secret, ttlSeconds: 3600, description: 'skiff up' }) as unknown as KubeObject);
  const joinString = formatJoinString(caHash(readKubeconfig(adminKubeconfig)!.ca!), token.token);
  mkdirSync(join(opts.dataDir, 'agents'), { recursive: true });
  const agentsStarted = new Date();
  for (let i = 1; i <= opts.nodes; i++) {
    const name = `node-${i}`;
    const h = plan?.hosts[i - 1];
    const ip = h ? h.ip : `127.0.1.${i}`;
    state.nodes.push(name);
    const extra = opts.backoffBase !== undefined ? ['--backoff-base', String(opts.backoffBase)] : [];
    // Hosts of their own program their own kernels; agents sharing this host's kernel let the
    // first one program its Service rules for all. Simulated nodes have no pod network: no rules.
    if (opts.runtime === 'docker' && (h || i === 1)) extra.push('--service-proxy');
    if (h) extra.push('--docker-socket', h.socket);
    // Each agent keeps its pods' volumes in the cluster's data directory.
    extra.push('--root-dir', join(opts.dataDir, 'agents', name), '--identity-dir', join(opts.dataDir, 'identities', name));
    launch(`agent-${i}`, ['agent', '--server', server, '--node-name', name, '--node-ip', ip, '--runtime', opts.runtime, ...extra], h?.netns, { SKIFF_TOKEN: joinString });
  }
  say(`starting ${opts.nodes} node agent${opts.nodes === 1 ? '' : 's'} ...`);
  // Ready as reported by these agents, not by the last run's (the Nodes outlive a `skiff down`).
  await waitFor(
    async () => nodesNotReadySince((await admin!.list(NODES)).items as Node[], state.nodes, agentsStarted).length === 0,
    { timeoutMs: 60_000, what: `${opts.nodes} nodes whose agents report them Ready (see the agent-N.log files in ${opts.dataDir})`, failed: () => state.processes.map((p) => exited(state, p.role)).find(Boolean) },
  );
  say(' ready\n');

  admin!.close();
  const kubeconfig = join(opts.dataDir, 'kubeconfig');
  copyFileSync(adminKubeconfig, kubeconfig);
  say(`\nskiff is up: API server ${server}, nodes ${state.nodes.map((n, i) => `${n} (${plan ? plan.hosts[i].ip : `127.0.1.${i + 1}`})`).join(', ')}\n`);
  say(`  export KUBECONFIG=${kubeconfig}\n  kubectl get nodes\n  skiff down            # stops the cluster and its containers\n`);
}

/** When a process of the cluster has died: what it last logged, for the error message. */
function exited(state: ClusterState, role: string): string | undefined {
  const p = state.processes.find((x) => x.role === role);
  if (!p || isAlive(p.pid)) return undefined;
  const tail = readFileSync(p.log, 'utf8').trim().split('\n').slice(-5).join('\n  ');
  return `the ${role} process exited; the end of ${p.log}:\n  ${tail}`;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
