// The Services the agent knows of, for the Service variables of containers (the kubelet's service
// lister): one informer over every namespace, started with the agent.
import { SERVICES, type KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';
import { ContainerConfigError } from '../container-config/env.ts';
import { computeServiceEnv } from '../container-config/service-env.ts';

export class ServiceLister {
  /** Shared with the cluster DNS server. */
  readonly informer: Informer<KubeObject>;

  constructor(client: RestClient, log: (message: string) => void) {
    this.informer = new Informer<KubeObject>(client, SERVICES, { onError: (err, ctx) => log(`service watch (${ctx}): ${(err as Error).message}`) });
  }

  start(): void {
    this.informer.start();
  }

  waitForSync(): Promise<void> {
    return this.informer.waitForSync();
  }

  stop(): void {
    this.informer.stop();
  }

  /** A pod's Service variables; until Services were listed once, the kubelet's error (the container waits). */
  envFor(namespace: string, enableServiceLinks: boolean): Map<string, string> {
    if (!this.informer.hasSynced()) throw new ContainerConfigError('services have not yet been read at least once, cannot construct envvars');
    return computeServiceEnv(this.informer.store.list(), namespace, enableServiceLinks);
  }
}
