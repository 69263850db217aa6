// `skiff scheduler` and `skiff controller-manager`: each component on its own, talking to an API
// server over HTTP (what `skiff server` hosts in one process). Their options and help; each
// component loads only when its command runs.
import type { Command } from 'commander';
import { parsePort, parseWholeNumber } from '../options.ts';
import { DEFAULT_SCHEDULER_PORT } from '../component-ports.ts';

export interface SchedulerOptions {
  server?: string;
  kubeconfig?: string;
  config?: string;
  port?: number;
}

export interface ControllerManagerOptions {
  server?: string;
  kubeconfig?: string;
  nodeMonitorGracePeriod: number;
  podEvictionTimeout: number;
  clusterCidr: string;
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  clusterSigningDuration: number;
}

export function registerComponents(program: Command): void {
  program
    .command('scheduler')
    .description('run the scheduler against an API server (leader-elected: several may run, one schedules)')
    .option('--server <urls>', 'API server URL, or several separated by commas to fail over between (default: kubeconfig, else https://127.0.0.1:6443)')
    .option('--kubeconfig <file>', 'kubeconfig with the server, its CA and this component\'s credentials')
    .option('--config <file>', 'scheduler configuration (plugin and resource weights, sampling); see docs/scheduler.md')
    .option('--port <port>', `port of the explain/metrics endpoint on 127.0.0.1 (default ${DEFAULT_SCHEDULER_PORT}, a free one when that is taken)`, parsePort)
    .action(async (opts: SchedulerOptions) => (await import('../actions/scheduler.ts')).runScheduler(opts));

  program
    .command('controller-manager')
    .description('run the controllers (ReplicaSet, Deployment, Endpoints, node lifecycle, node IPAM, garbage collection, ServiceAccounts) against an API server')
    .option('--server <urls>', 'API server URL, or several separated by commas to fail over between (default: kubeconfig, else https://127.0.0.1:6443)')
    .option('--kubeconfig <file>', 'kubeconfig with the server, its CA and this component\'s credentials')
    .option('--node-monitor-grace-period <s>', 'a node whose lease is older than this is NotReady/Unknown', parseWholeNumber, 40)
    .option('--pod-eviction-timeout <s>', 'default toleration of pods for an unreachable node', parseWholeNumber, 300)
    .option('--cluster-cidr <cidr>', 'pods\' address range, one /24 of it per node (spec.podCIDR)', '10.244.0.0/16')
    .option('--cluster-signing-cert-file <file>', 'the cluster CA certificate that signs approved CertificateSigningRequests (with --cluster-signing-key-file)')
    .option('--cluster-signing-key-file <file>', 'its private key (PEM); without both, requests are approved but not signed')
    .option('--cluster-signing-duration <s>', 'the longest certificate signed, in seconds', parseWholeNumber, 365 * 86_400)
    .action(async (opts: ControllerManagerOptions) => (await import('../actions/controller-manager.ts')).runControllerManager(opts));
}

