// Authorization, as kube-apiserver's `--authorization-mode` union (./modes.ts; default
// Node,RBAC): system:masters may do anything (the privileged-group authorizer that comes first);
// then each mode in order. The first allow or deny decides; if none does, the request is 403
// Forbidden with Kubernetes' wording and the reasons the authorizers gave.
import type { PolicyRule } from '@skiff/api';
import { ApiError } from '../errors/status.ts';
import { SYSTEM_MASTERS, type UserInfo } from '../auth/user.ts';
import { combinedResource, requestAttributes, type Attributes } from './attributes.ts';
import { NODE_RULES } from './bootstrap-policy.ts';
import { ALLOW, NO_OPINION, noOpinion, type Decision } from './decision.ts';
import { DEFAULT_AUTHORIZATION_MODES, type AuthorizationMode } from './modes.ts';
import { nodeNameOf, type NodeAuthorizer } from './node-authorizer.ts';
import type { RbacIndex } from './rbac-index.ts';
import { ruleAllows } from './rules.ts';

/** Upgraded streams that also need `create` when asked for with GET (a WebSocket), as Kubernetes 1.32 checks. */
const STREAM_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

const EVERYTHING: PolicyRule[] = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }];
/** AlwaysDeny's reason (kube-apiserver's alwaysDenyAuthorizer: no opinion, so a later mode may still allow). */
const EVERYTHING_FORBIDDEN = noOpinion('Everything is forbidden.');

/** What SelfSubjectRulesReview lists: the rules of every mode in the chain; incomplete when a mode cannot list its rules. */
export interface RulesReview {
  rules: PolicyRule[];
  incomplete: boolean;
}

export class Authorizer {
  /** The RBAC index, kept whatever the chain (escalation prevention reads the rules a user holds). */
  readonly rbac: RbacIndex;
  private readonly node: NodeAuthorizer;
  readonly modes: readonly AuthorizationMode[];
  private readonly chain: ((a: Attributes) => Decision)[];

  constructor(o: { rbac: RbacIndex; node: NodeAuthorizer; modes?: readonly AuthorizationMode[] }) {
    this.rbac = o.rbac;
    this.node = o.node;
    this.modes = o.modes ?? DEFAULT_AUTHORIZATION_MODES;
    this.chain = this.modes.map((m) => {
      switch (m) {
        case 'Node':
          return (a: Attributes) => this.node.authorize(a);
        case 'RBAC':
          return (a: Attributes) => this.rbacDecision(a);
        case 'AlwaysAllow':
          return () => ALLOW;
        case 'AlwaysDeny':
          return () => EVERYTHING_FORBIDDEN;
      }
    });
  }

  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return ALLOW;
    const reasons: string[] = [];
    for (const mode of this.chain) {
      const d = mode(a);
      if (d.kind !== 'none') return d;
      if (d.reason) reasons.push(d.reason);
    }
    return { kind: 'none', reason: reasons.join('\n') };
  }

  /** The RBAC authorizer: allowed when any rule that applies to the user allows it. */
  private rbacDecision(a: Attributes): Decision {
    return this.rbac.visitRules(a.user, a.namespace, (r) => ruleAllows(r, a)) ? ALLOW : NO_OPINION;
  }

  /**
   * The rules that apply to a user in a namespace (SelfSubjectRulesReview), each mode's in chain
   * order as kube-apiserver's union of rule resolvers lists them: everything for system:masters
   * and AlwaysAllow, nothing for AlwaysDeny, the node rules for a node (incomplete: the graph's
   * per-object access cannot be listed), the RBAC rules of its bindings.
   */
  rulesReview(user: UserInfo, namespace: string): RulesReview {
    if (user.groups.includes(SYSTEM_MASTERS)) return { rules: [...EVERYTHING], incomplete: false };
    const rules: PolicyRule[] = [];
    let incomplete = false;
    for (const m of this.modes) {
      if (m === 'AlwaysAllow') rules.push(...EVERYTHING);
      else if (m === 'RBAC') rules.push(...this.rbac.rulesFor(user, namespace));
      else if (m === 'Node' && nodeNameOf(user) !== undefined) {
        rules.push(...NODE_RULES);
        incomplete = true;
      }
    }
    return { rules, incomplete };
  }

  allows(a: Attributes): boolean {
    return this.authorize(a).kind === 'allow';
  }

  /**
   * Authorizes an HTTP request: undefined when allowed, else the 403 to answer. Exec, attach and
   * port-forward also need `create` (their WebSocket upgrade comes as a GET).
   */
  check(user: UserInfo, method: string, url: string): ApiError | undefined {
    if (user.groups.includes(SYSTEM_MASTERS)) return undefined;
    const a = requestAttributes(user, method, url);
    const d = this.authorize(a);
    if (d.kind !== 'allow') return forbiddenError(a, d.reason);
    if (a.resourceRequest && a.verb !== 'create' && a.resource === 'pods' && STREAM_SUBRESOURCES.has(a.subresource)) {
      const c = { ...a, verb: 'create' };
      const dc = this.authorize(c);
      if (dc.kind !== 'allow') return forbiddenError(c, dc.reason);
    }
    return undefined;
  }
}

/** forbiddenMessage (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go). */
export function forbiddenMessage(a: Attributes): string {
  const who = JSON.stringify(a.user.username);
  if (!a.resourceRequest) return `User ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const what = `${a.verb} resource ${JSON.stringify(combinedResource(a))} in API group ${JSON.stringify(a.apiGroup)}`;
  return a.namespace ? `User ${who} cannot ${what} in the namespace ${JSON.stringify(a.namespace)}` : `User ${who} cannot ${what} at the cluster scope`;
}

/** The 403 Status kube-apiserver answers: `pods "x" is forbidden: User "u" cannot get resource ...`. */
export function forbiddenError(a: Attributes, reason: string): ApiError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const details: Record<string, string> = {};
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  details.kind = a.resource;
  return new ApiError(403, 'Forbidden', a.name ? `${qualified} "${a.name}" is forbidden: ${msg}` : `${qualified} is forbidden: ${msg}`, details);
}
