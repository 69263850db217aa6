// Where the CLI finds the API server and its credentials: --kubeconfig, else --server alone,
// else $SKIFF_SERVER, else the kubeconfig that `skiff up` wrote (or $KUBECONFIG), else
// https://127.0.0.1:6443. A kubeconfig's CA, client certificate and token are all read.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { clusterServers, RestClient, SERVERS_EXTENSION, type KubeconfigCluster } from '@skiff/client';
import { skiffHome } from './home.ts';

export interface ServerRef {
  /** One API server URL, or several separated by commas (the client fails over between them). */
  url: string;
  token?: string;
  /** PEM */
  ca?: string;
  cert?: string;
  key?: string;
}

/** `--server` overrides the kubeconfig's server; `--kubeconfig` names the file to read. */
export function resolveServer(flag?: string, kubeconfig?: string): ServerRef {
  if (kubeconfig) {
    const ref = readKubeconfig(kubeconfig);
    if (!ref) throw new Error(`${kubeconfig}: its current context names no cluster`);
    return flag ? { ...ref, url: flag } : ref;
  }
  if (flag) return { url: flag };
  if (process.env.SKIFF_SERVER) return { url: process.env.SKIFF_SERVER };
  for (const path of [process.env.KUBECONFIG, join(skiffHome(), 'kubeconfig')]) {
    if (path && existsSync(path)) {
      const ref = readKubeconfig(path);
      if (ref) return ref;
    }
  }
  return { url: 'https://127.0.0.1:6443' };
}

/** A client's (or component's) connection options for a server reference. */
export function clientOptions(s: ServerRef): { server: string; token?: string; ca?: string; cert?: string; key?: string } {
  return { server: s.url, token: s.token, ca: s.ca, cert: s.cert, key: s.key };
}

/** A client of the API server the CLI resolves (see resolveServer). */
export function cliClient(serverFlag?: string, kubeconfig?: string): { client: RestClient } {
  const s = resolveServer(serverFlag, kubeconfig);
  return { client: new RestClient({ ...clientOptions(s), userAgent: 'skiff-cli' }) };
}

/** The current context's server and credentials, or undefined when the file names none. */
export function readKubeconfig(path: string): ServerRef | undefined {
  const doc = parse(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string; user?: string } }[];
    clusters?: { name: string; cluster: KubeconfigCluster & { 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
    users?: { name: string; user?: { token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string; 'client-certificate'?: string; 'client-key'?: string } }[];
  } | null;
  const ctx = doc?.contexts?.find((c) => c.name === doc['current-context']);
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.context.cluster)?.cluster;
  if (!cluster) return undefined;
  const user = doc?.users?.find((u) => u.name === ctx?.context.user)?.user;
  const pem = (data?: string, file?: string) => (data ? Buffer.from(data, 'base64').toString('utf8') : file ? readFileSync(file, 'utf8') : undefined);
  return {
    url: clusterServers(cluster),
    token: user?.token,
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: pem(user?.['client-certificate-data'], user?.['client-certificate']),
    key: pem(user?.['client-key-data'], user?.['client-key']),
  };
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
