import { InvalidArgumentError, Option, type Command } from 'commander';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { apiServiceIP, AUTHORIZATION_MODES, authorizationModeWarnings, DEFAULT_AUTHORIZATION_MODES, defaultRouteAddress, parseAuthorizationModes, ENCRYPTION_KEY_FILE, privateFileProblem, ensureClientCertificate, ensureClusterPki, parseDatastore, readStaticTokens, renderKubeconfig, startApiServer, writeSecretFile, type AuthorizationMode, type ClusterPki } from '@skiff/apiserver';
import { startComponentThread } from '../components-thread.ts';
import { parsePort } from '../options.ts';
import { onShutdown } from '../shutdown.ts';
import { DEFAULT_SCHEDULER_PORT, startOnPort } from '../component-ports.ts';

interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  scheduler: boolean;
  controllers: boolean;
  schedulerPort?: number;
  clusterCidr: string;
  serviceClusterIpRange: string;
  datastoreEndpoint?: string;
  datastoreCafile?: string;
  datastoreCertfile?: string;
  datastoreKeyfile?: string;
  tlsSan: string[];
  insecurePort?: number;
  tokenAuthFile?: string;
  advertiseAddress?: string;
  auditLogPath?: string;
  auditPolicyFile?: string;
  auditLogMaxsize: number;
  auditLogMaxbackup: number;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  authorizationMode: AuthorizationMode[];
}

export function registerServer(program: Command): void {
  program
    .command('server')
    .description('run the API server and, in worker threads of the same process, the scheduler and controller manager')
    .option('--data-dir <dir>', 'where the SQLite database lives', defaultDataDir())
    .option('--datastore-endpoint <url>', 'store objects in etcd instead of SQLite: etcd://host:2379[,host:2379...] (several API servers may share it)')
    .option('--datastore-cafile <file>', 'CA certificate that signed the etcd members\' certificates (TLS to etcd)')
    .option('--datastore-certfile <file>', 'client certificate for etcd (with --datastore-keyfile)')
    .option('--datastore-keyfile <file>', 'client key for etcd (with --datastore-certfile)')
    .option('--host <address>', 'address to bind; 127.0.0.1 keeps the API off the network', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 6443)
    .option('--no-scheduler', 'do not run the scheduler in this process')
    .option('--no-controllers', 'do not run the controller manager in this process')
    .option('--cluster-cidr <cidr>', 'pods\' address range, one /24 of it per node', '10.244.0.0/16')
    .option('--service-cluster-ip-range <cidr>', 'where Service ClusterIPs come from', '10.96.0.0/16')
    .option('--advertise-address <ip>', 'the address pods and other servers reach this server at, listed in the kubernetes Service\'s endpoints (default: --host when routable, the default route\'s address for 0.0.0.0); with --host 127.0.0.1 the server also listens there')
    .option('--tls-san <name>', 'another DNS name or IP address for the serving certificate (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--insecure-port <port>', 'also serve plain HTTP on 127.0.0.1:PORT, where every request is system:unsecured (a development convenience; never on the network)', parsePort)
    .addOption(
      new Option(
        '--authorization-mode <modes>',
        `ordered, comma-separated authorizers, as kube-apiserver's: ${AUTHORIZATION_MODES.join(', ')}; the first to allow decides (system:masters is always allowed). AlwaysAllow lets every authenticated request through: development only`,
      )
        .argParser(authorizationModes)
        .default([...DEFAULT_AUTHORIZATION_MODES], DEFAULT_AUTHORIZATION_MODES.join(',')),
    )
    .option('--token-auth-file <file>', 'static bearer tokens, one per line: token,user,uid,"group1,group2"')
    .option('--audit-log-path <file>', 'write an audit.k8s.io/v1 Event per request, one JSON line each, to this file (- for stdout)')
    .option('--audit-policy-file <file>', 'audit policy (audit.k8s.io/v1 Policy); without it every request is logged at Metadata level')
    .option('--audit-log-maxsize <MB>', 'rotate the audit log past this many megabytes (0: never)', nonNegative, 100)
    .option('--audit-log-maxbackup <n>', 'rotated audit logs to keep (0: all)', nonNegative, 0)
    .option('--max-requests-inflight <n>', 'read-only requests served at once before 429 (0: no limit; watches and streams do not count)', nonNegative, 400)
    .option('--max-mutating-requests-inflight <n>', 'mutating requests served at once before 429 (0: no limit)', nonNegative, 200)
    .option('--scheduler-port <port>', `port of the scheduler's explain/metrics endpoint on 127.0.0.1 (default ${DEFAULT_SCHEDULER_PORT}, a free one when that is taken or --port is 0)`, parsePort)
    .action(async (opts: ServerOptions) => {
      // Secrets others can read are worth a word at every start (ADR 0020).
      const problem = opts.tokenAuthFile ? privateFileProblem(opts.tokenAuthFile) : undefined;
      if (problem) process.stderr.write(`skiff: warning: ${problem}\n`);
      // AlwaysAllow (and a chain without RBAC) is said loudly at every start.
      for (const w of authorizationModeWarnings(opts.authorizationMode)) process.stderr.write(`skiff: ${w}\n`);
      const etcd = parseDatastore({ endpoint: opts.datastoreEndpoint, cafile: opts.datastoreCafile, certfile: opts.datastoreCertfile, keyfile: opts.datastoreKeyfile });
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
        authentication: { serviceAccountKey: pki.serviceAccountKey, staticTokens: opts.tokenAuthFile ? readStaticTokens(opts.tokenAuthFile) : undefined },
        insecurePort: opts.insecurePort,
        advertiseAddress: opts.advertiseAddress,
        // Secrets sealed at rest; the key is made on first start (ADR 0020).
        encryptionKeyFile: join(opts.dataDir, ENCRYPTION_KEY_FILE),
        audit: opts.auditLogPath ? { path: opts.auditLogPath, policyFile: opts.auditPolicyFile, maxSizeMB: opts.auditLogMaxsize, maxBackups: opts.auditLogMaxbackup } : undefined,
        authorizationModes: opts.authorizationMode,
        limits: { maxRequestsInflight: opts.maxRequestsInflight, maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight },
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
      // The scheduler and controller manager run in worker threads of their own, so this
      // thread's event loop serves API requests only; they talk to the API server over HTTP like
      // any client. A component thread that dies takes the server down with it (loudly), rather
      // than leaving a server that silently schedules nothing.
      const crashed = (err: Error) => {
        process.stderr.write(`skiff: ${err.message}; stopping\n`);
        process.kill(process.pid, 'SIGTERM');
      };
      if (opts.scheduler) {
        const scheduler = await startOnPort({
          what: 'scheduler endpoint',
          requested: opts.schedulerPort,
          preferred: DEFAULT_SCHEDULER_PORT,
          anyPort: opts.port === 0,
          log: (m) => process.stdout.write(`${m}\n`),
          start: async (port) => startComponentThread({ kind: 'scheduler', server: server.url, ...(await componentIdentity(pki, 'scheduler', 'system:kube-scheduler')), schedulerPort: port }, crashed),
        });
        process.stdout.write(`scheduler running (explain: ${scheduler.endpointUrl})\n`);
        onShutdown(() => scheduler.stop());
      }
      if (opts.controllers) {
        // It signs approved CSRs (joining agents' certificates) with the cluster CA, as
        // kube-controller-manager does with --cluster-signing-key-file (ADR 0019).
        const signingKey = pki.ca.key.export({ type: 'pkcs8', format: 'pem' }) as string;
        const manager = await startComponentThread({ kind: 'controller-manager', server: server.url, ...(await componentIdentity(pki, 'controller-manager', 'system:kube-controller-manager')), clusterCIDR: opts.clusterCidr, signingCert: pki.ca.cert, signingKey }, crashed);
        process.stdout.write('controller manager running\n');
        onShutdown(() => manager.stop());
      }
    });
}

/** --authorization-mode's value, refused (with every problem) before anything starts. */
function authorizationModes(v: string): AuthorizationMode[] {
  try {
    return parseAuthorizationModes(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function nonNegative(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}

/** The serving certificate's names: loopback, this host, the bind address, the in-cluster names and --tls-san. */
function servingNames(opts: ServerOptions): string[] {
  const names = ['127.0.0.1', 'localhost', hostname().toLowerCase(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', apiServiceIP(opts.serviceClusterIpRange)];
  if (opts.host !== '0.0.0.0' && opts.host !== '::') names.push(opts.host);
  if (opts.advertiseAddress) names.push(opts.advertiseAddress);
  return [...new Set([...names, ...opts.tlsSan])];
}

/** The client certificate of a component in a worker thread (Kubernetes' user names for them), kept in DATA/pki. */
async function componentIdentity(pki: ClusterPki, file: string, user: string): Promise<{ ca: string; cert: string; key: string }> {
  const pair = await ensureClientCertificate(pki, file, { commonName: user });
  return { ca: pki.ca.cert, ...pair };
}

export function defaultDataDir(): string {
  return `${process.env.HOME ?? '.'}/.skiff/data`;
}
