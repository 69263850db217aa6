// The ServiceAccounts controller: a `default` ServiceAccount in every namespace, as
// kube-controller-manager's serviceaccounts-controller keeps. Keys are namespace names; a new or
// changed namespace, or a deleted account, queues its namespace.
import { ApiError, isAlreadyExists, isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NAMESPACE, NAMESPACE_INDEX } from '../lib/indexes.ts';
import { NAMESPACES, SERVICE_ACCOUNTS } from '../lib/resources.ts';
import { planServiceAccounts } from './plan.ts';

export interface ServiceAccountsControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  log?: (msg: string, err?: unknown) => void;
}

export class ServiceAccountsController extends QueueController {
  readonly name = 'serviceaccount-controller';
  private readonly client: RestClient;
  private readonly namespaces: Informer;
  private readonly accounts: Informer;

  constructor(opts: ServiceAccountsControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.namespaces = opts.factory.informerFor(NAMESPACES);
    this.accounts = opts.factory.informerFor(SERVICE_ACCOUNTS, { indexers: NAMESPACE_INDEX });
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.enqueueKey(ns.metadata.name!),
      onUpdate: (_old, ns) => this.enqueueKey(ns.metadata.name!),
    });
    // Only a deletion can leave a namespace short of an account.
    this.accounts.addEventHandler({ onDelete: (sa) => this.enqueueKey(sa.metadata.namespace!) });
  }

  protected async reconcile(namespace: string): Promise<ReconcileResult | void> {
    const ns = this.namespaces.store.get(namespace);
    if (!ns) return;
    const existing = new Set(this.accounts.store.byIndex(BY_NAMESPACE, namespace).map((sa) => sa.metadata.name!));
    for (const sa of planServiceAccounts(ns, existing)) {
      try {
        await this.client.create(SERVICE_ACCOUNTS, sa);
      } catch (err) {
        // Made meanwhile (a stale cache), or the namespace went away: nothing left to do.
        if (isAlreadyExists(err) || isNotFound(err)) continue;
        // A namespace that started terminating refuses creates; the next event re-reads it.
        if (err instanceof ApiError && err.code === 403) continue;
        throw err;
      }
    }
  }
}
