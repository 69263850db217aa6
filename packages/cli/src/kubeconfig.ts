// Where the CLI finds the API server: --server, else $SKIFF_SERVER, else the kubeconfig that
// `skiff up` wrote (or $KUBECONFIG), else http://127.0.0.1:6443.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { clusterServers, RestClient, SERVERS_EXTENSION, type KubeconfigCluster } from '@skiff/client';

export interface ServerRef {
  /** One API server URL, or several separated by commas (the client fails over between them). */
  url: string;
  token?: string;
}

export function skiffHome(): string {
  return process.env.SKIFF_HOME ?? join(process.env.HOME ?? '.', '.skiff');
}

export function resolveServer(flag?: string): ServerRef {
  if (flag) return { url: flag };
  if (process.env.SKIFF_SERVER) return { url: process.env.SKIFF_SERVER };
  for (const path of [process.env.KUBECONFIG, join(skiffHome(), 'kubeconfig')]) {
    if (path && existsSync(path)) {
      const ref = readKubeconfig(path);
      if (ref) return ref;
    }
  }
  return { url: 'http://127.0.0.1:6443' };
}

/** A client of the API server the CLI resolves (see resolveServer), with its URL and token. */
export function cliClient(serverFlag?: string): { client: RestClient; url: string; token?: string } {
  const s = resolveServer(serverFlag);
  const client = new RestClient({ server: s.url, token: s.token, userAgent: 'skiff-cli' });
  // `url` (for the verbs that fetch() directly) is the first of several servers; the client fails over.
  return { client, url: client.transport.servers.current().href.replace(/\/$/, ''), token: s.token };
}

/** The current context's server and token, or undefined when the file names none. */
export function readKubeconfig(path: string): ServerRef | undefined {
  const doc = parse(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string; user?: string } }[];
    clusters?: { name: string; cluster: KubeconfigCluster }[];
    users?: { name: string; user?: { token?: string } }[];
  } | null;
  const ctx = doc?.contexts?.find((c) => c.name === doc['current-context']);
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.context.cluster);
  if (!cluster) return undefined;
  const user = doc?.users?.find((u) => u.name === ctx?.context.user);
  return { url: clusterServers(cluster.cluster), token: user?.user?.token };
}

/**
 * Writes a kubeconfig for `server`. With `servers`, the cluster also lists every API server in the
 * `skiff.dev/servers` extension (ADR 0012): kubectl uses `server` (a `skiff lb` in front of
 * them), skiff's own clients the list.
 */
export function writeKubeconfig(path: string, server: string, name = 'skiff', servers?: string[]): void {
  const extensions = servers ? [{ name: SERVERS_EXTENSION, extension: { servers } }] : undefined;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    // insecure-skip-tls-verify lets @kubernetes/client-node accept a plain-HTTP server.
    clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true, ...(extensions ? { extensions } : {}) } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}
