// What `skiff controller-manager` does: the controllers against an API server, signing approved
// CSRs when given the cluster CA's certificate and key.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { createControllerManager } from '@skiff/controllers';
import { clientOptions, resolveServer } from '../kubeconfig.ts';
import { onShutdown } from '../shutdown.ts';
import type { ControllerManagerOptions } from '../commands/components.ts';

export async function runControllerManager(opts: ControllerManagerOptions): Promise<void> {
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
}
