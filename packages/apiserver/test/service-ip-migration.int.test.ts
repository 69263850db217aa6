// ClusterIPs outside the service CIDR move into it when the API server starts (Services made under
// another range, e.g. skiff's old loopback one), keeping the addresses claimed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../src/index.ts';

const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
async function create(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/api/v1/namespaces/default/services`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

test('a Service from another range gets an address of the configured one at start-up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-svc-migration-'));
  try {
    const before = await startApiServer({ dataDir: dir, port: 0, serviceClusterIPRange: '10.100.0.0/24' });
    const old = await create(before.url, svc('old', { ports: [{ port: 80 }] }));
    expect(old.json.spec.clusterIP).toBe('10.100.0.2'); // .1 is the kubernetes Service's
    await before.close();

    const after = await startApiServer({ dataDir: dir, port: 0 });
    try {
      const moved = (await (await fetch(`${after.url}/api/v1/namespaces/default/services/old`)).json()) as { spec: unknown };
      expect(moved.spec).toMatchObject({ clusterIP: '10.96.0.2', clusterIPs: ['10.96.0.2'] });
      expect((await create(after.url, svc('new', { ports: [{ port: 80 }] }))).json.spec.clusterIP).toBe('10.96.0.3');
      const dup = await create(after.url, svc('dup', { clusterIP: '10.96.0.2', ports: [{ port: 80 }] }));
      expect(dup.status).toBe(422);
      expect(JSON.stringify(dup.json)).toMatch(/already allocated/);
    } finally {
      await after.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
