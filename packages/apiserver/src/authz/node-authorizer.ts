// The Node authorizer (plugin/pkg/auth/authorizer/node): a node agent is the user
// `system:node:NAME` in the group `system:nodes`. It may read the Secrets, ConfigMaps,
// PersistentVolumeClaims and ServiceAccounts (and ask for ServiceAccount tokens) that the pods
// bound to it use, and the PersistentVolumes bound to those claims or pinned to it, by name (a list or watch counts when its fieldSelector names the object), as
// the graph (./node-graph.ts) knows them; its node Lease only in kube-node-lease; and otherwise
// what NODE_RULES grant. NodeRestriction admission (./node-restriction.ts) then keeps its writes
// to its own Node, Lease, pods and volumes. Any other user: no opinion.
import type { UserInfo } from '../auth/user.ts';
import { SYSTEM_NODES } from '../auth/user.ts';
import type { Attributes } from './attributes.ts';
import { NODE_RULES } from './bootstrap-policy.ts';
import { ALLOW, NO_OPINION, noOpinion, type Decision } from './decision.ts';
import type { GraphKind, NodeGraph } from './node-graph.ts';
import { rulesAllow } from './rules.ts';

export const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, if it is one (NodeIdentifier: the name prefix and the group both). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(SYSTEM_NODES)) return undefined;
  const name = user.username.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

const GRAPH_RESOURCES: Record<string, GraphKind> = { secrets: 'secret', configmaps: 'configmap', persistentvolumeclaims: 'pvc', serviceaccounts: 'serviceaccount', persistentvolumes: 'pv' };
const READ = new Set(['get', 'list', 'watch']);

export class NodeAuthorizer {
  private readonly graph: NodeGraph;

  constructor(graph: NodeGraph) {
    this.graph = graph;
  }

  authorize(a: Attributes): Decision {
    const node = nodeNameOf(a.user);
    if (node === undefined) return NO_OPINION;
    if (!a.resourceRequest) return rulesAllow(NODE_RULES, a) ? ALLOW : NO_OPINION;
    if (a.apiGroup === '') {
      const kind = GRAPH_RESOURCES[a.resource];
      if (kind) return this.graphAccess(node, kind, a);
    }
    if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') {
      if (a.subresource || a.namespace !== NODE_LEASE_NAMESPACE || !['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) {
        return noOpinion(`can only access leases in the ${NODE_LEASE_NAMESPACE} namespace with get/create/update/patch/delete`);
      }
      return ALLOW;
    }
    return rulesAllow(NODE_RULES, a) ? ALLOW : NO_OPINION;
  }

  private graphAccess(node: string, kind: GraphKind, a: Attributes): Decision {
    const token = kind === 'serviceaccount' && a.subresource === 'token';
    if (token ? a.verb !== 'create' : a.subresource !== '' || !READ.has(a.verb)) return noOpinion(`can only ${token ? 'create tokens for' : 'get, list or watch'} individual ${a.resource}`);
    if (!a.name) return noOpinion(`can only read individual ${a.resource} (by name)`);
    if (this.graph.uses(node, kind, a.namespace, a.name)) return ALLOW;
    return noOpinion(`no relationship found between node '${node}' and this object`);
  }
}
