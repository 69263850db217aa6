// kube-apiserver's `--authorization-mode`: an ordered, comma-separated chain of authorizers. The
// first that allows (or denies) decides; one with no opinion passes the request to the next;
// none deciding is a 403. system:masters is allowed before the chain, whatever it holds (the
// privileged-group authorizer kube-apiserver always puts first). skiff offers the built-in modes
// that need no configuration file: Node, RBAC, AlwaysAllow and AlwaysDeny (ABAC and Webhook are
// Kubernetes' too, and refused here by name). Default Node,RBAC (kubeadm's; kube-apiserver's own
// default is AlwaysAllow, which skiff does not take as a default). Pure: parsing and checking.

export const AUTHORIZATION_MODES = ['Node', 'RBAC', 'AlwaysAllow', 'AlwaysDeny'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];
export const DEFAULT_AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['Node', 'RBAC'];

/** Kubernetes' modes skiff does not build (they need a policy file or a webhook). */
const KUBERNETES_ONLY = new Set(['ABAC', 'Webhook']);

/** Go's %q of a []string, as kube-apiserver prints the list in its errors: `["RBAC" "RBAC"]`. */
function quotedList(modes: readonly string[]): string {
  return `[${modes.map((m) => JSON.stringify(m)).join(' ')}]`;
}

/**
 * The chain a flag value names (`Node,RBAC`), or every problem with it, worded as kube-apiserver's
 * validation words them (an empty list, an unknown mode, a mode given twice), in one Error.
 */
export function parseAuthorizationModes(value: string | readonly string[]): AuthorizationMode[] {
  const modes = (typeof value === 'string' ? value.split(',') : [...value]).map((m) => m.trim()).filter((m) => m !== '');
  const problems: string[] = [];
  if (modes.length === 0) problems.push('at least one authorization-mode must be passed');
  for (const m of modes) {
    if (KUBERNETES_ONLY.has(m)) problems.push(`authorization-mode "${m}" is not supported by skiff (supported: ${AUTHORIZATION_MODES.join(',')})`);
    else if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) problems.push(`authorization-mode "${m}" is not a valid mode (one of: ${AUTHORIZATION_MODES.join(',')})`);
  }
  if (new Set(modes).size !== modes.length) problems.push(`authorization-mode ${quotedList(modes)} has mode specified more than once`);
  if (problems.length) throw new Error(problems.join('; '));
  return modes as AuthorizationMode[];
}

/**
 * What a server should say at start-up about its chain: AlwaysAllow lets every authenticated
 * request through (anonymous ones stay 401), so it is said loudly; a chain without RBAC ignores
 * every Role and binding; one without Node leaves agents only what RBAC grants them.
 */
export function authorizationModeWarnings(modes: readonly AuthorizationMode[]): string[] {
  const out: string[] = [];
  const allowAt = modes.indexOf('AlwaysAllow');
  if (allowAt >= 0) {
    const before = modes.slice(0, allowAt);
    out.push(
      `WARNING: --authorization-mode includes AlwaysAllow: every authenticated request${before.length ? ` that ${before.join(',')} does not decide` : ''} is ALLOWED. ` +
        'Anyone with any valid credential (a bootstrap token, a ServiceAccount token, a node certificate) may do anything. ' +
        'For development only; never on a network.',
    );
  }
  if (!modes.includes('RBAC')) out.push('warning: --authorization-mode without RBAC: Roles, ClusterRoles and their bindings grant nothing');
  return out;
}
