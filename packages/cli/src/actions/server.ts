// What `skiff server` does: the API server and, in a child process of its own, the
// scheduler and controller manager; the cluster's certificates are made on first start.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { apiServiceIP, authorizationModeWarnings, defaultRouteAddress, ENCRYPTION_KEY_FILE, privateFileProblem, ensureClientCertificate, ensureClusterPki, renderKubeconfig, startApiServer, writeSecretFile, type ClusterPki } from '@skiff/apiserver';
import { startComponentsProcess } from '../components-process.ts';
import { onShutdown } from '../shutdown.ts';
import { DEFAULT_SCHEDULER_PORT, startOnPort } from '../component-ports.ts';
import { computeServerSettings, describeProblems, type ServerFlags, type ServerSettings } from '../server-settings.ts';

export async function runServer(flags: ServerFlags): Promise<void> {
  // Every flag and variable is checked before anything is written; a bad one stops the server, all named.
  const checked = computeServerSettings(flags, { env: process.env, readFile: (path) => readFileSync(path) });
  if (checked.problems) throw new Error(describeProblems(checked.problems));
  const opts = checked.settings;
  // Secrets others can read are worth a word at every start (ADR 0020).
  const problem = opts.tokenAuthFile ? privateFileProblem(opts.tokenAuthFile) : undefined;
  if (problem) process.stderr.write(`skiff: warning: ${problem}\n`);
  // AlwaysAllow (and a chain without RBAC) is said loudly at every start.
  for (const w of authorizationModeWarnings(opts.authorizationMode)) process.stderr.write(`skiff: ${w}\n`);
  const etcd = opts.etcd;
  // The cluster's CA, serving and admin certificates: made on first start (ADR 0014).
  if (opts.advertiseAddress === undefined && (opts.host === '0.0.0.0' || opts.host === '::')) opts.advertiseAddress = defaultRouteAddress();
  const pki = await ensureClusterPki(join(opts.dataDir, 'pki'), servingNames(opts));
  const server = await startApiServer({
    dataDir: opts.dataDir,
    etcd,
    host: opts.host,
    port: opts.port,
    serviceClusterIPRange: opts.serviceClusterIpRange,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert, kubeletClient: pki.kubeletClient },
    walMaxBytes: opts.walMaxBytes,
    authentication: { serviceAccountKey: pki.serviceAccountKey, staticTokens: opts.staticTokens },
    insecurePort: opts.insecurePort,
    advertiseAddress: opts.advertiseAddress,
    // Secrets sealed at rest; the key is made on first start (ADR 0020).
    encryptionKeyFile: join(opts.dataDir, ENCRYPTION_KEY_FILE),
    audit: opts.audit,
    authorizationModes: opts.authorizationMode,
    limits: opts.limits,
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new Error(`${opts.host}:${opts.port} (or --insecure-port) is already in use (another skiff server? choose another --port)`);
    throw err;
  });
  const kubeconfig = join(opts.dataDir, 'admin.kubeconfig');
  writeSecretFile(kubeconfig, renderKubeconfig({ server: server.url, ca: pki.ca.cert, user: pki.admin }));
  const where = etcd ? `etcd at ${etcd.hosts.join(',')}${etcd.tls ? ' over TLS' : ''}` : opts.dataDir;
  process.stdout.write(`skiff API server listening on ${server.url} (data in ${where}; admin kubeconfig ${kubeconfig})\n`);
  process.stdout.write(server.advertiseAddress ? `pods reach it as the kubernetes Service, at ${server.advertiseAddress}:${server.port}\n` : 'no --advertise-address: pods cannot reach this server (the kubernetes Service has no endpoint from it)\n');
  if (server.insecureUrl) process.stdout.write(`plain HTTP, every request as system:unsecured, listening on ${server.insecureUrl}\n`);
  onShutdown(() => server.close());
  // The scheduler and controller manager run together in a process of their own, at a lower CPU
  // priority, over one set of informers (ADR 0022), so this process serves API requests only; they
  // talk to the API server over HTTPS like any client. A components process that dies takes the
  // server down with it (loudly), rather than leaving a server that silently schedules nothing.
  const crashed = (err: Error) => {
    process.stderr.write(`skiff: ${err.message}; stopping\n`);
    process.kill(process.pid, 'SIGTERM');
  };
  if (!opts.scheduler && !opts.controllers) return;
  // It signs approved CSRs (joining agents' certificates) with the cluster CA, as
  // kube-controller-manager does with --cluster-signing-key-file (ADR 0019).
  const controllerManager = opts.controllers
    ? { ...(await componentIdentity(pki, 'controller-manager', 'system:kube-controller-manager')), clusterCIDR: opts.clusterCidr, signingCert: pki.ca.cert, signingKey: pki.ca.key.export({ type: 'pkcs8', format: 'pem' }) as string }
    : undefined;
  const scheduler = opts.scheduler ? await componentIdentity(pki, 'scheduler', 'system:kube-scheduler') : undefined;
  const start = (port: number) => startComponentsProcess({ server: server.url, ca: pki.ca.cert, scheduler: scheduler && { ...scheduler, port }, controllerManager }, crashed);
  const components = scheduler
    ? await startOnPort({ what: 'scheduler endpoint', requested: opts.schedulerPort, preferred: DEFAULT_SCHEDULER_PORT, anyPort: opts.port === 0, log: (m) => process.stdout.write(`${m}\n`), start })
    : await start(0);
  if (scheduler) process.stdout.write(`scheduler running (explain: ${components.endpointUrl})\n`);
  if (controllerManager) process.stdout.write('controller manager running\n');
  onShutdown(() => components.stop());
}

/** The serving certificate's names: loopback, this host, the bind address, the in-cluster names and --tls-san. */
function servingNames(opts: ServerSettings): string[] {
  const names = ['127.0.0.1', 'localhost', hostname().toLowerCase(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', apiServiceIP(opts.serviceClusterIpRange)];
  if (opts.host !== '0.0.0.0' && opts.host !== '::') names.push(opts.host);
  if (opts.advertiseAddress) names.push(opts.advertiseAddress);
  return [...new Set([...names, ...opts.tlsSan])];
}

/** The client certificate of a component (Kubernetes' user names for them), kept in DATA/pki. */
async function componentIdentity(pki: ClusterPki, file: string, user: string): Promise<{ cert: string; key: string }> {
  return ensureClientCertificate(pki, file, { commonName: user });
}
