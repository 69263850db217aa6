// Node passwords, as k3s keeps them (ADR 0019): the names both ends and the controller manager
// share. A joining agent sends its password in a header; the API server keeps a salted hash of it
// per node name in a Secret in kube-system; the controller manager ties that Secret to its Node
// and removes it with the Node.
export const NODE_PASSWORD_HEADER = 'skiff-node-password';
export const NODE_PASSWORD_NAMESPACE = 'kube-system';
export const NODE_PASSWORD_SECRET_TYPE = 'skiff.dev/node-password';
/** The label on each node password Secret, whose value is the node's name. */
export const NODE_PASSWORD_LABEL = 'skiff.dev/node-password';

export function nodePasswordSecretName(node: string): string {
  return `${node}.node-password.skiff`;
}
