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
import { DEFAULT_AUTHORIZATION_MODES, type AuthorizationMode } from './modes.ts';

export { Authorizer, forbiddenError, forbiddenMessage } from './authorizer.ts';
export { AUTHORIZATION_MODES, DEFAULT_AUTHORIZATION_MODES, authorizationModeWarnings, parseAuthorizationModes, type AuthorizationMode } from './modes.ts';
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

  /** `modes`: the chain (--authorization-mode), already parsed; default Node,RBAC. */
  constructor(o: { storage: Storage; stores: Map<string, ResourceStore>; log: (msg: string, err?: unknown) => void; modes?: readonly AuthorizationMode[] }) {
    this.stores = o.stores;
    this.rbac = new RbacIndex(o.storage, o.log);
    this.graph = new NodeGraph(o.storage, o.log);
    this.authorizer = new Authorizer({ rbac: this.rbac, node: new NodeAuthorizer(this.graph), modes: o.modes ?? DEFAULT_AUTHORIZATION_MODES });
    this.admission = admissionChain([escalationAdmission({ rbac: this.rbac, authorizer: this.authorizer }), nodeRestriction]);
    this.aggregation = new ClusterRoleAggregation({ rbac: this.rbac, stores: o.stores, log: o.log });
  }

  /**
   * Puts the default policy in place, fills the caches, aggregates roles; then requests may be
   * authorized. The policy and the RBAC index are kept whatever the chain (escalation prevention
   * reads the rules a user holds, as Kubernetes' does; a later start with RBAC finds the policy);
   * the pod graph only when the Node authorizer is in the chain.
   */
  async start(): Promise<void> {
    await reconcileDefaultPolicy(this.stores);
    await Promise.all([this.rbac.start(), this.authorizer.modes.includes('Node') ? this.graph.start() : undefined]);
    await this.aggregation.start();
  }

  async close(): Promise<void> {
    await this.aggregation.close();
    this.rbac.close();
    this.graph.close();
  }
}
