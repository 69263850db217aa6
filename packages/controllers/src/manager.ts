// The controller manager: one process hosting every controller over one set of shared
// informers, active only while it holds the leader lease, so that several can run and only one
// acts. Hosted by `skiff controller-manager --server URL` and inside `skiff server`.
import { hostname } from 'node:os';
import { dropManagedFields, EventRecorder, isAlreadyExists, LeaderElector, RestClient, SharedInformerFactory, type InformerFactory } from '@skiff/client';
import type { Controller } from './lib/controller.ts';
import { NAMESPACES } from './lib/resources.ts';
import { DeploymentController } from './deployment/controller.ts';
import { EndpointsController } from './endpoints/controller.ts';
import { EndpointSliceController } from './endpointslice/controller.ts';
import { GarbageCollector } from './gc/controller.ts';
import { NodeLifecycleController } from './nodelifecycle/controller.ts';
import { NodeIpamController } from './nodeipam/controller.ts';
import { ServiceLBController } from './servicelb/controller.ts';
import { DEFAULT_CLUSTER_CIDR, parseRangeConfig } from './nodeipam/plan.ts';
import { ReplicaSetController } from './replicaset/controller.ts';
import { ServiceAccountsController } from './serviceaccounts/controller.ts';
import { PersistentVolumeController } from './persistentvolume/controller.ts';
import { DaemonSetController } from './daemonset/controller.ts';
import { StatefulSetController } from './statefulset/controller.ts';
import { PVCProtectionController, PVProtectionController } from './volumeprotection/controller.ts';
import { JobController } from './job/controller.ts';
import { TtlAfterFinishedController } from './ttlafterfinished/controller.ts';
import { CronJobController } from './cronjob/controller.ts';
import { DisruptionController } from './disruption/controller.ts';
import { RootCACertPublisher } from './rootcacertpublisher/controller.ts';
import { NodePasswordController } from './nodepassword/controller.ts';
import { ClusterDNSController } from './clusterdns/controller.ts';
import { CertificateController } from './certificates/controller.ts';
import type { CertificateAuthority } from '@skiff/api';

export const CONTROLLER_NAMES = ['replicaset', 'replicationcontroller', 'deployment', 'endpoints', 'endpointslice', 'nodelifecycle', 'nodeipam', 'servicelb', 'garbagecollector', 'serviceaccount', 'persistentvolume-binder', 'daemonset', 'statefulset', 'pvc-protection', 'pv-protection', 'job', 'ttl-after-finished', 'cronjob', 'disruption', 'root-ca-cert-publisher', 'csrapproving', 'nodepassword', 'clusterdns'] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];

export interface ControllerManagerOptions {
  /** API server URL, e.g. http://127.0.0.1:6443. */
  server: string;
  token?: string;
  /** PEM: the CA that signed the server's certificate, and a client certificate and key (https). */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  /**
   * PEM of the CA pods use to verify the API server, published as `kube-root-ca.crt` in every
   * namespace (kube-controller-manager's --root-ca-file); default `ca`, else the CA the server
   * serves on /cacerts. Without any, the root CA publisher does not run.
   */
  rootCA?: string;
  /**
   * The cluster CA that signs approved CertificateSigningRequests (kube-controller-manager's
   * --cluster-signing-cert-file / --cluster-signing-key-file); without it requests are approved
   * (csrapproving) but not signed.
   */
  signing?: CertificateAuthority;
  /** The longest certificate signed (--cluster-signing-duration), in seconds; default a year. */
  signingDurationSeconds?: number;
  /** Which controllers to run; default all. */
  controllers?: readonly ControllerName[];
  /** Workers per controller; default 5 (ReplicaSet and Deployment), 2 for the others. */
  workers?: number;
  /** A node whose lease is older than this is Unknown; default 40. */
  nodeMonitorGracePeriodSeconds?: number;
  /** How long pods tolerate an unreachable node by default; default 300. */
  podEvictionTimeoutSeconds?: number;
  /** How often nodes are checked; default min(5 s, grace / 4). */
  nodeMonitorPeriodMs?: number;
  /** Run only while holding the `skiff-controller-manager` Lease in kube-system; default true. */
  leaderElect?: boolean;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up on stop() so another manager takes over at once; default true. */
  releaseOnStop?: boolean;
  /** The pods' address range, cut into one block per node (spec.podCIDR); default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** Prefix length of each node's block; default 24. */
  nodeCIDRMaskSize?: number;
  /** Failures worth a line (retried regardless), error text included; default console.warn. */
  log?: (msg: string) => void;
  /** Called when this manager starts or stops leading. */
  onLeadershipChange?: (leading: boolean) => void;
  /**
   * Informers shared with other components of this thread (`skiff server`, ADR 0022), used
   * through a scope per leader term; its owner starts and stops it. Default: a factory per term.
   * Its informers should drop managedFields, as this manager's own do.
   */
  informers?: SharedInformerFactory;
}

export interface ControllerManager {
  start(): Promise<void>;
  /** Stops the controllers (and gives up the lease). */
  stop(): Promise<void>;
  isLeader(): boolean;
}

interface Running {
  factory: InformerFactory;
  controllers: Controller[];
  done: Promise<void>;
}

export const LEADER_LEASE_NAME = 'skiff-controller-manager';
interface Running {
  factory: InformerFactory;
  controllers: Controller[];
  done: Promise<void>;
}

export const LEADER_LEASE_NAMESPACE = 'kube-system';

export function createControllerManager(opts: ControllerManagerOptions): ControllerManager {
  const sink = opts.log ?? ((msg: string) => console.warn(msg));
  const log = (msg: string, err?: unknown) => sink(err === undefined ? msg : `${msg}: ${err instanceof Error ? err.message : String(err)}`);
  const client = new RestClient({ server: opts.server, token: opts.token, ca: opts.ca, cert: opts.cert, key: opts.key, insecureSkipTlsVerify: opts.insecureSkipTlsVerify, userAgent: 'skiff-controller-manager', maxConnections: 64 });
  const enabled = new Set(opts.controllers ?? CONTROLLER_NAMES);
  // Checked here, so that a bad flag fails at start-up rather than inside a leader term.
  const podRange = parseRangeConfig(opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR, opts.nodeCIDRMaskSize);
  let running: Running | undefined;
  let elector: LeaderElector | undefined;
  let standalone: AbortController | undefined;
  let leading = false;

  /** Builds the controllers over fresh informers and runs them until `signal` aborts. */
  const runControllers = async (signal: AbortSignal) => {
    // The caches drop managedFields, as kube-controller-manager's do: no controller reads them.
    // Informers shared with the scheduler of the same thread are used through a scope of this
    // term, which the term's end lets go of (ADR 0022); otherwise each term has its own.
    const factory: InformerFactory = opts.informers ? opts.informers.scope() : new SharedInformerFactory(client, { defaults: { onError: (err, ctx) => log(`informer: ${ctx}`, err), transform: dropManagedFields } });
    const recorder = (component: string) => new EventRecorder(client, { component, maxInFlight: 4, onError: (err) => log(`${component}: event not recorded`, err) });
    const controllers: Controller[] = [];
    if (enabled.has('replicaset')) controllers.push(new ReplicaSetController({ client, factory, kind: 'ReplicaSet', recorder: recorder('replicaset-controller'), log }));
    if (enabled.has('replicationcontroller')) controllers.push(new ReplicaSetController({ client, factory, kind: 'ReplicationController', recorder: recorder('replication-controller'), log }));
    if (enabled.has('deployment')) controllers.push(new DeploymentController({ client, factory, recorder: recorder('deployment-controller'), log }));
    if (enabled.has('endpoints')) controllers.push(new EndpointsController({ client, factory, log }));
    if (enabled.has('endpointslice')) controllers.push(new EndpointSliceController({ client, factory, log }));
    if (enabled.has('nodelifecycle')) {
      controllers.push(
        new NodeLifecycleController({
          client,
          factory,
          recorder: recorder('node-controller'),
          gracePeriodMs: (opts.nodeMonitorGracePeriodSeconds ?? 40) * 1000,
          defaultTolerationSeconds: opts.podEvictionTimeoutSeconds ?? 300,
          monitorPeriodMs: opts.nodeMonitorPeriodMs,
          log,
        }),
      );
    }
    if (enabled.has('nodeipam')) controllers.push(new NodeIpamController({ client, factory, range: podRange, log }));
    if (enabled.has('servicelb')) controllers.push(new ServiceLBController({ client, factory, log }));
    if (enabled.has('garbagecollector')) controllers.push(new GarbageCollector({ client, factory, log }));
    if (enabled.has('serviceaccount')) controllers.push(new ServiceAccountsController({ client, factory, log }));
    if (enabled.has('persistentvolume-binder')) controllers.push(new PersistentVolumeController({ client, factory, log }));
    if (enabled.has('daemonset')) controllers.push(new DaemonSetController({ client, factory, recorder: recorder('daemonset-controller'), log }));
    if (enabled.has('statefulset')) controllers.push(new StatefulSetController({ client, factory, recorder: recorder('statefulset-controller'), log }));
    if (enabled.has('pvc-protection')) controllers.push(new PVCProtectionController({ client, factory, log }));
    if (enabled.has('pv-protection')) controllers.push(new PVProtectionController({ client, factory, log }));
    if (enabled.has('job')) controllers.push(new JobController({ client, factory, recorder: recorder('job-controller'), log }));
    if (enabled.has('ttl-after-finished')) controllers.push(new TtlAfterFinishedController({ client, factory, log }));
    if (enabled.has('cronjob')) controllers.push(new CronJobController({ client, factory, recorder: recorder('cronjob-controller'), log }));
    if (enabled.has('disruption')) controllers.push(new DisruptionController({ client, factory, recorder: recorder('controllermanager'), log }));
    const rootCA = enabled.has('root-ca-cert-publisher') ? (opts.rootCA ?? opts.ca?.toString() ?? (await servedCA(client))) : undefined;
    if (rootCA) controllers.push(new RootCACertPublisher({ client, factory, rootCA, log }));
    // Approval and signing of CSRs (csrapproving, and csrsigning when the CA's key was given).
    if (enabled.has('csrapproving')) controllers.push(new CertificateController({ client, factory, signing: opts.signing, signingDurationSeconds: opts.signingDurationSeconds, log }));
    // Node passwords (ADR 0019) go with their Nodes, as k3s removes them.
    if (enabled.has('nodepassword')) controllers.push(new NodePasswordController({ client, factory, log }));
    // The cluster DNS as the kube-dns Service in kube-system (what kubectl cluster-info lists).
    if (enabled.has('clusterdns')) controllers.push(new ClusterDNSController({ client, factory, log }));

    let finished!: () => void;
    const run: Running = { factory, controllers, done: new Promise<void>((r) => (finished = r)) };
    running = run;
    const stopAll = () => {
      for (const c of controllers) c.stop();
      factory.stop();
    };
    signal.addEventListener('abort', stopAll, { once: true });
    factory.start();
    try {
      // Workers start only once every cache has synced: a half-filled cache would look like
      // missing pods and cause duplicates.
      await factory.waitForCacheSync(signal);
      if (signal.aborted) return;
      await Promise.all(
        controllers.map((c) => c.run(opts.workers ?? (c instanceof ReplicaSetController || c instanceof DeploymentController || c instanceof DaemonSetController || c instanceof JobController ? 5 : 2))),
      );
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      stopAll();
      finished();
      if (running === run) running = undefined;
    }
  };

  /** Waits until the controllers of the current run have finished their in-flight work. */
  const waitStopped = async () => {
    const r = running;
    if (!r) return;
    for (const c of r.controllers) c.stop();
    r.factory.stop();
    await r.done;
  };

  return {
    async start() {
      if (opts.leaderElect === false) {
        leading = true;
        standalone = new AbortController();
        void runControllers(standalone.signal).catch((err) => log('controller manager stopped', err));
        return;
      }
      await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEADER_LEASE_NAMESPACE } }).catch((err) => {
        if (!isAlreadyExists(err)) log('could not ensure namespace kube-system', err);
      });
      elector = new LeaderElector({
        client,
        name: LEADER_LEASE_NAME,
        namespace: LEADER_LEASE_NAMESPACE,
        identity: opts.identity ?? `${hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`,
        leaseDurationMs: opts.leaseDurationMs,
        renewDeadlineMs: opts.renewDeadlineMs,
        retryPeriodMs: opts.retryPeriodMs,
        releaseOnStop: opts.releaseOnStop ?? true,
        onStartedLeading: async (signal) => {
          leading = true;
          opts.onLeadershipChange?.(true);
          await runControllers(signal).catch((err) => log('controllers failed', err));
        },
        onStoppedLeading: () => {
          leading = false;
          opts.onLeadershipChange?.(false);
        },
        onError: (err) => log('leader election', err),
      });
      elector.start();
    },
    async stop() {
      standalone?.abort();
      if (elector) await elector.stop();
      await waitStopped();
      leading = false;
      client.close();
    },
    isLeader: () => leading,
  };
}

/**
 * The cluster CA the API server serves on /cacerts, for a manager given none (one talking to the
 * plain loopback port); undefined when the server has none (plain HTTP only: no pod can reach it).
 */
async function servedCA(client: RestClient): Promise<string | undefined> {
  try {
    const res = await client.transport.request({ method: 'GET', path: '/cacerts' });
    return res.status === 200 && res.body.includes('BEGIN CERTIFICATE') ? res.body : undefined;
  } catch {
    return undefined;
  }
}
