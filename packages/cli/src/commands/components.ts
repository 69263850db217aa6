// `skiff scheduler` and `skiff controller-manager`: each component on its own, talking to an API
// server over HTTP (what `skiff server` hosts in one process).
import type { Command } from 'commander';
import { createControllerManager } from '@skiff/controllers';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { createScheduler, loadConfig } from '@skiff/scheduler';
import { clientOptions, resolveServer } from '../kubeconfig.ts';
import { parsePort, parsePositiveInt } from '../options.ts';
import { onShutdown } from '../shutdown.ts';
import { DEFAULT_SCHEDULER_PORT, startOnPort } from '../component-ports.ts';

export function registerComponents(program: Command): void {
  program
    .command('scheduler')
    .description('run the scheduler against an API server (leader-elected: several may run, one schedules)')
    .option('--server <urls>', 'API server URL, or several separated by commas to fail over between (default: kubeconfig, else https://127.0.0.1:6443)')
    .option('--kubeconfig <file>', 'kubeconfig with the server, its CA and this component\'s credentials')
    .option('--config <file>', 'scheduler configuration (plugin and resource weights, sampling); see docs/scheduler.md')
    .option('--port <port>', `port of the explain/metrics endpoint on 127.0.0.1 (default ${DEFAULT_SCHEDULER_PORT}, a free one when that is taken)`, parsePort)
    .action(async (opts: { server?: string; kubeconfig?: string; config?: string; port?: number }) => {
      const server = resolveServer(opts.server, opts.kubeconfig);
      const config = opts.config ? loadConfig(opts.config) : undefined;
      const scheduler = await startOnPort({
        what: 'scheduler endpoint',
        requested: opts.port,
        preferred: DEFAULT_SCHEDULER_PORT,
        anyPort: false,
        log: (m) => process.stdout.write(`${m}\n`),
        start: async (port) => {
          const s = createScheduler({ ...clientOptions(server), config, endpoint: { port } });
          await s.start();
          return s;
        },
      });
      process.stdout.write(`skiff scheduler: scheduling for ${server.url} (explain: ${scheduler.endpointUrl})\n`);
      onShutdown(() => scheduler.stop());
    });

  program
    .command('controller-manager')
    .description('run the controllers (ReplicaSet, Deployment, Endpoints, node lifecycle, node IPAM, garbage collection, ServiceAccounts) against an API server')
    .option('--server <urls>', 'API server URL, or several separated by commas to fail over between (default: kubeconfig, else https://127.0.0.1:6443)')
    .option('--kubeconfig <file>', 'kubeconfig with the server, its CA and this component\'s credentials')
    .option('--node-monitor-grace-period <s>', 'a node whose lease is older than this is NotReady/Unknown', parsePositiveInt, 40)
    .option('--pod-eviction-timeout <s>', 'default toleration of pods for an unreachable node', parsePositiveInt, 300)
    .option('--cluster-cidr <cidr>', 'pods\' address range, one /24 of it per node (spec.podCIDR)', '10.244.0.0/16')
    .option('--cluster-signing-cert-file <file>', 'the cluster CA certificate that signs approved CertificateSigningRequests (with --cluster-signing-key-file)')
    .option('--cluster-signing-key-file <file>', 'its private key (PEM); without both, requests are approved but not signed')
    .option('--cluster-signing-duration <s>', 'the longest certificate signed, in seconds', parsePositiveInt, 365 * 86_400)
    .action(async (opts: { server?: string; kubeconfig?: string; nodeMonitorGracePeriod: number; podEvictionTimeout: number; clusterCidr: string; clusterSigningCertFile?: string; clusterSigningKeyFile?: string; clusterSigningDuration: number }) => {
      const server = resolveServer(opts.server, opts.kubeconfig);
      if (!opts.clusterSigningCertFile !== !opts.clusterSigningKeyFile) throw new InvalidArgumentError('--cluster-signing-cert-file and --cluster-signing-key-file go together');
      const signing = opts.clusterSigningCertFile && opts.clusterSigningKeyFile ? { cert: readFileSync(opts.clusterSigningCertFile, 'utf8'), key: createPrivateKey(readFileSync(opts.clusterSigningKeyFile)) } : undefined;
      const manager = createControllerManager({
        signing,
        signingDurationSeconds: opts.clusterSigningDuration,
        ...clientOptions(server),
        nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriod,
        podEvictionTimeoutSeconds: opts.podEvictionTimeout,
        clusterCIDR: opts.clusterCidr,
      });
      await manager.start();
      process.stdout.write(`skiff controller-manager: reconciling for ${server.url}\n`);
      onShutdown(() => manager.stop());
    });
}

