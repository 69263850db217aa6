// Where the CLI finds the API server: --server, else $SKIFF_SERVER, else the kubeconfig that
// `skiff up` wrote (or $KUBECONFIG), else http://127.0.0.1:6443.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { RestClient } from '@skiff/client';

export interface ServerRef {
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
  return { client: new RestClient({ server: s.url, token: s.token, userAgent: 'skiff-cli' }), url: s.url, token: s.token };
}

/** The current context's server and token, or undefined when the file names none. */
export function readKubeconfig(path: string): ServerRef | undefined {
  const doc = parse(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string; user?: string } }[];
    clusters?: { name: string; cluster: { server: string } }[];
    users?: { name: string; user?: { token?: string } }[];
  } | null;
  const ctx = doc?.contexts?.find((c) => c.name === doc['current-context']);
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.context.cluster);
  if (!cluster) return undefined;
  const user = doc?.users?.find((u) => u.name === ctx?.context.user);
  return { url: cluster.cluster.server, token: user?.user?.token };
}

export function writeKubeconfig(path: string, server: string, name = 'skiff'): void {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    // insecure-skip-tls-verify lets @kubernetes/client-node accept a plain-HTTP server.
    clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}
