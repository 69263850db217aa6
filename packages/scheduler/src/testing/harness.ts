// A real API server on a free port with its own data directory, plus the helpers the
// integration tests and the benchmark share.

import type { KubeObject } from '@skiff/api';
import { startTestServer } from '@skiff/apiserver/testing';
import { RestClient } from '@skiff/client';

export const PODS = { group: '', version: 'v1', plural: 'pods', scope: 'Namespaced' } as const;
export const NODES = { group: '', version: 'v1', plural: 'nodes', scope: 'Cluster' } as const;
export const EVENTS = { group: '', version: 'v1', plural: 'events', scope: 'Namespaced' } as const;

export interface TestCluster {
  url: string;
  client: RestClient;
  close(): Promise<void>;
}

export async function startCluster(): Promise<TestCluster> {
  const server = await startTestServer();
  const client = new RestClient({ server: server.url, maxConnections: 64 });
  return {
    url: server.url,
    client,
    async close() {
      client.close();
      await server.close();
    },
  };
}


/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function forEachLimit<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export async function listPods(client: RestClient, namespace = 'default'): Promise<KubeObject[]> {
  return (await client.list(PODS, { namespace })).items;
}
