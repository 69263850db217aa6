// The node password controller (./plan.ts), in the controller manager: keys are node names; a
// Node added or deleted, or a node password Secret changed, queues its name. The Node informer is
// the one the other controllers share; node heartbeats (updates) queue nothing. Secrets come from
// a watch of kube-system's node password Secrets only (by their label).
import { NODE_PASSWORD_LABEL, NODE_PASSWORD_NAMESPACE, nodePasswordSecretName, type KubeObject } from '@skiff/api';
import { isConflict, isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { NODES, SECRETS } from '../lib/resources.ts';
import { planNodePassword } from './plan.ts';

export interface NodePasswordControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  /** How long a node password may wait for its Node (default an hour). */
  orphanGraceMs?: number;
  now?: () => number;
  log?: (msg: string, err?: unknown) => void;
}

export class NodePasswordController extends QueueController {
  readonly name = 'nodepassword';
  private readonly client: RestClient;
  private readonly nodes: Informer;
  private readonly secrets: Informer;
  private readonly opts: NodePasswordControllerOptions;

  constructor(opts: NodePasswordControllerOptions) {
    super(opts.log);
    this.opts = opts;
    this.client = opts.client;
    this.nodes = opts.factory.informerFor(NODES);
    this.secrets = opts.factory.informerFor(SECRETS, { namespace: NODE_PASSWORD_NAMESPACE, labelSelector: NODE_PASSWORD_LABEL });
    const node = (n: KubeObject) => this.enqueueKey(n.metadata.name!);
    this.nodes.addEventHandler({ onAdd: node, onDelete: node });
    const secret = (s: KubeObject) => {
      const name = s.metadata.labels?.[NODE_PASSWORD_LABEL];
      if (name) this.enqueueKey(name);
    };
    this.secrets.addEventHandler({ onAdd: secret, onUpdate: (_o, s) => secret(s), onDelete: secret });
  }

  protected async reconcile(name: string): Promise<ReconcileResult | void> {
    const secretName = nodePasswordSecretName(name);
    const secret = this.secrets.store.get(`${NODE_PASSWORD_NAMESPACE}/${secretName}`);
    const plan = planNodePassword(secret, this.nodes.store.get(name), this.opts.now?.() ?? Date.now(), this.opts.orphanGraceMs);
    if (!plan) return;
    if ('requeueAfterMs' in plan) return plan;
    try {
      if ('tie' in plan) {
        // The resourceVersion makes the patch conditional: a changed Secret queues the name again.
        await this.client.patch(SECRETS, NODE_PASSWORD_NAMESPACE, secretName, { metadata: { resourceVersion: secret!.metadata.resourceVersion, ownerReferences: plan.tie } });
        return;
      }
      await this.client.delete(SECRETS, NODE_PASSWORD_NAMESPACE, secretName, { preconditions: { uid: secret!.metadata.uid } });
      this.log(`${this.name}: deleted the node password of ${name}: ${plan.delete}`);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
