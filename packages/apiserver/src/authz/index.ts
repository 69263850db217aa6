// Authorization in the API server (ADR 0018): the pieces, built and started together.
import type { Storage } from '../storage/types.ts';
import type { ResourceStore } from '../registry/store.ts';
import { admissionChain, type ValidatingAdmission } from '../registry/admission.ts';
import { ClusterRoleAggregation } from './aggregation.ts';
import { Authorizer } from './authorizer.ts';
import { escalationAdmission } from './escalation.ts';
import { NodeAuthorizer } from './node-authorizer.ts';
import { NodeGraph } from './node-graph.ts';
import { nodeRestriction } from './node-restriction.ts';
import { RbacIndex } from './rbac-index.ts';
import { reconcileDefaultPolicy } from './reconcile-policy.ts';

export { Authorizer, forbiddenError, forbiddenMessage } from './authorizer.ts';
export { authorizeRequest, registerAuthorization } from './register.ts';
export { requestAttributes, type Attributes } from './attributes.ts';
export { checkNodeTokenRequest } from './node-restriction.ts';
export { nodeNameOf } from './node-authorizer.ts';
export type { RbacIndex } from './rbac-index.ts';

export class Authorization {
  readonly rbac: RbacIndex;
  readonly graph: NodeGraph;
  readonly authorizer: Authorizer;
  /** Escalation prevention, then NodeRestriction. */
  readonly admission: ValidatingAdmission;
  private readonly aggregation: ClusterRoleAggregation;
  private readonly stores: Map<string, ResourceStore>;

  constructor(o: { storage: Storage; stores: Map<string, ResourceStore>; log: (msg: string, err?: unknown) => void }) {
    this.stores = o.stores;
    this.rbac = new RbacIndex(o.storage, o.log);
    this.graph = new NodeGraph(o.storage, o.log);
    this.authorizer = new Authorizer({ rbac: this.rbac, node: new NodeAuthorizer(this.graph) });
    this.admission = admissionChain([escalationAdmission({ rbac: this.rbac, authorizer: this.authorizer }), nodeRestriction]);
    this.aggregation = new ClusterRoleAggregation({ rbac: this.rbac, stores: o.stores, log: o.log });
  }

  /** Puts the default policy in place, fills the caches, aggregates roles; then requests may be authorized. */
  async start(): Promise<void> {
    await reconcileDefaultPolicy(this.stores);
    await Promise.all([this.rbac.start(), this.graph.start()]);
    await this.aggregation.start();
  }

  async close(): Promise<void> {
    await this.aggregation.close();
    this.rbac.close();
    this.graph.close();
  }
}
