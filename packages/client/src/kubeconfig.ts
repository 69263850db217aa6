// Where to find the API server. Minimal on purpose: `SKIFF_SERVER` / `SKIFF_TOKEN` from the
// environment, else a JSON kubeconfig (its current context's cluster and user). YAML kubeconfigs
// are the CLI's business (the client has no YAML parser).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RestClientOptions } from './rest-client.ts';

/**
 * The name of a kubeconfig cluster extension listing every API server of the cluster (ADR 0012):
 * kubectl uses the cluster's `server` (a local `skiff lb` in front of them) and ignores it; skiff's
 * own clients use the list and fail over between the servers themselves.
 */
export const SERVERS_EXTENSION = 'skiff.dev/servers';

export interface KubeconfigCluster {
  server: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  extensions?: { name: string; extension?: { servers?: unknown } }[];
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user?: string } }[];
  clusters?: { name: string; cluster: KubeconfigCluster }[];
  users?: { name: string; user: { token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
}

/**
 * Client options from `SKIFF_SERVER` (+ `SKIFF_TOKEN`), else from the JSON kubeconfig at `path`,
 * `$KUBECONFIG` or `~/.kube/config`.
 */
export function loadKubeconfig(path?: string, env: NodeJS.ProcessEnv = process.env): RestClientOptions {
  if (env.SKIFF_SERVER) return { server: env.SKIFF_SERVER, token: env.SKIFF_TOKEN || undefined };
  const file = path ?? env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  const text = readFileSync(file, 'utf8');
  let config: Kubeconfig;
  try {
    config = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not a JSON kubeconfig; set SKIFF_SERVER (and SKIFF_TOKEN) instead`);
  }
  const context = config.contexts?.find((c) => c.name === config['current-context'])?.context;
  const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`${file}: current context "${config['current-context'] ?? ''}" names no cluster with a server`);
  const user = config.users?.find((u) => u.name === context?.user)?.user;
  const ca = cluster['certificate-authority-data'];
  const b64 = (v: string | undefined) => (v ? Buffer.from(v, 'base64') : undefined);
  return {
    server: clusterServers(cluster),
    token: user?.token,
    ca: b64(ca),
    cert: b64(user?.['client-certificate-data']),
    key: b64(user?.['client-key-data']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'],
  };
}

/**
 * The servers a kubeconfig cluster names, comma-separated as `TransportOptions.server` takes them:
 * the `skiff.dev/servers` extension's list when there is one, else `server`.
 */
export function clusterServers(cluster: KubeconfigCluster): string {
  const listed = cluster.extensions?.find((e) => e.name === SERVERS_EXTENSION)?.extension?.servers;
  if (Array.isArray(listed) && listed.length > 0 && listed.every((s) => typeof s === 'string' && s !== '' && !s.includes(','))) return listed.join(',');
  return cluster.server;
}
