// A kubeconfig that kubectl, @kubernetes/client-node and skiff's client read unchanged: the
// cluster's CA and server, and a user given by client certificate (admin, nodes) or token.
import { stringify } from 'yaml';

export interface KubeconfigSpec {
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  ca: string;
  user: { cert: string; key: string } | { token: string };
  /** Name of the cluster, user and context; default skiff. */
  name?: string;
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function renderKubeconfig(spec: KubeconfigSpec): string {
  const name = spec.name ?? 'skiff';
  const user = 'token' in spec.user ? { token: spec.user.token } : { 'client-certificate-data': b64(spec.user.cert), 'client-key-data': b64(spec.user.key) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: spec.server, 'certificate-authority-data': b64(spec.ca) } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: spec.namespace ?? 'default' } }],
    'current-context': name,
  });
}
