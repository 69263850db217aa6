// Bad input never reaches the 500 path and never stores anything: random JSON bodies, and valid
// objects with random values planted at random paths, POSTed, PUT and PATCHed over real HTTP.
import fc from 'fast-check';
import { client, deployment, pod } from './support/server.ts';
import { startTestServer } from '../src/testing/index.ts';
import type { Client, TestServer } from './support/server.ts';

let server: TestServer;
let api: Client;
beforeAll(async () => {
  server = await startTestServer();
  api = client(server.url);
  await api('POST', '/api/v1/namespaces/default/pods', pod('target'));
  await api('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('target'));
});
afterAll(() => server.close());

const PATHS = ['metadata', 'metadata.name', 'metadata.labels', 'metadata.namespace', 'spec', 'spec.containers', 'spec.replicas', 'spec.selector', 'spec.template', 'spec.template.spec.containers', 'kind', 'apiVersion', 'status'];

function plant(obj: any, path: string, value: unknown): any {
  const out = structuredClone(obj);
  const parts = path.split('.');
  let cur = out;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p];
  }
  cur[parts.at(-1)!] = value;
  return out;
}

test('random bodies: 4xx or success, never 5xx; a 4xx stores nothing', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.json().map((t) => ({ text: t })),
        fc.tuple(fc.constantFrom(...PATHS), fc.jsonValue(), fc.boolean()).map(([p, v, isPod]) => ({ text: JSON.stringify(plant(isPod ? pod('fz') : deployment('fz'), p, v)) })),
      ),
      fc.constantFrom('POST pods', 'POST deployments', 'PUT pod', 'PATCH merge', 'PATCH json', 'PATCH strategic', 'PATCH apply'),
      async ({ text }, how) => {
        const before = await server.revision();
        const [method, what] = how.split(' ');
        const target = what === 'pods' || what === 'pod' || what === 'merge' || what === 'json' ? 'pods' : 'deployments';
        const base = target === 'pods' ? '/api/v1/namespaces/default/pods' : '/apis/apps/v1/namespaces/default/deployments';
        const url = method === 'POST' ? base : `${base}/target?fieldManager=fuzz`;
        const ct: Record<string, string> = {
          merge: 'application/merge-patch+json',
          json: 'application/json-patch+json',
          strategic: 'application/strategic-merge-patch+json',
          apply: 'application/apply-patch+yaml',
        };
        const r = await api(method, url, text, { 'content-type': method === 'PATCH' ? ct[what] : 'application/json' });
        expect(r.status).toBeLessThan(500);
        expect(r.body?.kind === 'Status' || r.status < 300).toBe(true);
        if (r.status >= 400) expect(await server.revision()).toBe(before);
        // Undo successful creates so names do not pile up into AlreadyExists.
        if (r.status === 201 && r.body?.metadata?.name && r.body.metadata.name !== 'target') await api('DELETE', `${base}/${r.body.metadata.name}?gracePeriodSeconds=0`);
      },
    ),
    { numRuns: 300 },
  );
}, 120_000);
