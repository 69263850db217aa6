// The object model end to end, over HTTP against a real API server: every field of every served
// kind is stored and returned unchanged (the round trip), strict field validation refuses exactly
// unknown fields at any depth, fields skiff does not act on draw a Warning, query booleans are
// Go's strconv.ParseBool, and /version/ answers.
import { RESOURCES, type ResourceInfo } from '@skiff/api';
import { fullObject } from './support/full-object.ts';
import { useTestServer, pod } from './support/server.ts';

const { server, api } = useTestServer();

function collection(r: ResourceInfo, ns = 'default'): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.scope === 'Namespaced' ? `${base}/namespaces/${ns}/${r.plural}` : `${base}/${r.plural}`;
}

/** The message of a Status answer (undefined for an object). */
const statusMessage = (body: any) => (body?.kind === 'Status' ? body.message : undefined);

/** Paths at which `got` differs from what was `sent` (every field sent must come back as it was). */
function differences(sent: unknown, got: unknown, path = ''): string[] {
  if (sent !== null && typeof sent === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(sent) !== Array.isArray(got)) return [`${path}: sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}`];
    if (Array.isArray(sent)) {
      if (sent.length !== (got as unknown[]).length) return [`${path}: sent ${sent.length} items, got ${(got as unknown[]).length}`];
      return sent.flatMap((v, i) => differences(v, (got as unknown[])[i], `${path}[${i}]`));
    }
    return Object.entries(sent).flatMap(([k, v]) => differences(v, (got as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return sent === got ? [] : [`${path}: sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}`];
}

const VARIANTS = [0, 1, 2, 3];

describe('round trip: every field of every served kind is stored and returned unchanged', () => {
  for (const r of RESOURCES) {
    test.each(VARIANTS)(`${r.kind} (variant %i)`, async (variant) => {
      const obj = fullObject(r, `full-${variant}`, variant);
      const { status, ...rest } = obj;
      const hasStatusSubresource = r.subresources.includes('status');
      // With a status subresource, a create resets status (as Kubernetes does): it goes in below.
      const body = hasStatusSubresource ? rest : obj;
      const created = await api('POST', collection(r), body);
      expect([created.status, statusMessage(created.body)]).toEqual([201, undefined]);
      const url = `${collection(r)}/${obj.metadata.name}`;
      const got = await api('GET', url);
      expect(got.status).toBe(200);
      expect(differences(body, got.body)).toEqual([]);
      expect(got.body).toEqual(created.body);

      if (hasStatusSubresource && status !== undefined) {
        const put = await api('PUT', `${url}/status`, { ...got.body, status });
        expect([put.status, statusMessage(put.body)]).toEqual([200, undefined]);
        const after = await api('GET', url);
        expect(differences(status, after.body.status)).toEqual([]);
        expect(differences(body.spec ?? {}, after.body.spec ?? {})).toEqual([]);
      }
    });
  }

  test('the full pod sets fields from every corner of the model', () => {
    const p = fullObject({ group: '', version: 'v1', kind: 'Pod' }, 'x');
    const sources = p.spec.volumes.map((v: Record<string, unknown>) => Object.keys(v).find((k) => k !== 'name'));
    expect(sources).toEqual(expect.arrayContaining(['configMap', 'secret', 'persistentVolumeClaim', 'projected', 'csi', 'ephemeral', 'image']));
    expect(p.spec.securityContext.seccompProfile).toBeDefined();
    expect(p.spec.topologySpreadConstraints).toHaveLength(1);
    expect(p.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector).toBeDefined();
    expect(p.spec.containers[0].envFrom.length).toBe(2);
    expect(p.spec.initContainers[0].restartPolicy).toBe('Always');
  });
});

describe('strict field validation', () => {
  const PODS = '/api/v1/namespaces/default/pods';

  test('refuses an unknown field at any depth with the message kubectl prints', async () => {
    const bad = pod('strict-bad', { spec: { containers: [{ name: 'c', image: 'x', envFromm: [] }], volumes: [{ name: 'v', configMap: { name: 'cm', itemz: [] } }] } });
    const r = await api('POST', `${PODS}?fieldValidation=Strict`, bad);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].envFromm", unknown field "spec.volumes[0].configMap.itemz"',
    );
    expect((await api('GET', `${PODS}/strict-bad`)).status).toBe(404);
  });

  test('accepts every known field at any depth', async () => {
    const r = await api('POST', `${PODS}?fieldValidation=Strict`, fullObject({ group: '', version: 'v1', kind: 'Pod' }, 'strict-full', 1));
    expect([r.status, statusMessage(r.body)]).toEqual([201, undefined]);
  });

  test('keeps what it does not know out of the object under Ignore, and warns under Warn', async () => {
    const warn = await api('POST', `${PODS}?fieldValidation=Warn`, pod('strict-warn', { spec: { containers: [{ name: 'c', image: 'x', bogus: 1 }] } }));
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toContain('unknown field \\"spec.containers[0].bogus\\"');
    expect(warn.body.spec.containers[0].bogus).toBeUndefined();
  });
});

describe('Warning: stored but not enforced', () => {
  const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

  test('names each field a write sets that skiff does not act on', async () => {
    const spec = {
      os: { name: 'linux' },
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }],
      // Enforced by the scheduler: stored without a warning.
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'w' } } }],
      containers: [{ name: 'c', image: 'x' }],
    };
    const r = await api('POST', DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'warned' },
      spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec } },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('warning')).toBe(
      '299 - "spec.template.spec.os is stored but not enforced", 299 - "spec.template.spec.hostAliases is stored but not enforced"',
    );
    expect(r.body.spec.template.spec.topologySpreadConstraints).toEqual(spec.topologySpreadConstraints);
    // A later write that leaves those fields as they are hears nothing about them.
    const again = await api('PATCH', `${DEPLOYMENTS}/warned`, { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
    expect(again.status).toBe(200);
    expect(again.headers.get('warning')).toBeNull();
  });

  test('says nothing for a plain pod', async () => {
    const r = await api('POST', '/api/v1/namespaces/default/pods', pod('plain'));
    expect(r.status).toBe(201);
    expect(r.headers.get('warning')).toBeNull();
  });
});

describe('query booleans are Go strconv.ParseBool', () => {
  test.each(['true', 'True', 'TRUE', 't', 'T', '1'])('watch=%s is a watch', async (v) => {
    const ac = new AbortController();
    const res = await fetch(`${server.url}/api/v1/namespaces/default/pods?watch=${v}&timeoutSeconds=1`, { signal: ac.signal });
    expect(res.status).toBe(200);
    const text = await res.text();
    // A watch streams events, one JSON object per line; a list would be one PodList.
    expect(text.split('\n').filter(Boolean).every((l) => JSON.parse(l).type === 'ADDED')).toBe(true);
  });

  test.each(['false', 'False', '0', 'f'])('watch=%s is a list', async (v) => {
    const r = await api('GET', `/api/v1/namespaces/default/pods?watch=${v}`);
    expect([r.status, r.body.kind]).toEqual([200, 'PodList']);
  });

  test.each([['watch=yes'], ['watch=tRuE'], ['allowWatchBookmarks=on'], ['sendInitialEvents=2']])('%s is a 400', async (qs) => {
    const r = await api('GET', `/api/v1/namespaces/default/pods?${qs}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/strconv\.ParseBool: parsing "[^"]+": invalid syntax/);
  });

  test('force and orphanDependents too', async () => {
    const patch = await api('PATCH', '/api/v1/namespaces/default/pods/plain?fieldManager=x&force=maybe', { metadata: {} }, { 'content-type': 'application/apply-patch+yaml' });
    expect(patch.status).toBe(400);
    const del = await api('DELETE', '/api/v1/namespaces/default/pods/plain?orphanDependents=nope');
    expect(del.status).toBe(400);
    expect((await api('GET', '/api/v1/namespaces/default/pods/plain')).status).toBe(200);
  });
});

test('/version/ with a trailing slash', async () => {
  const [plain, slash] = [await api('GET', '/version'), await api('GET', '/version/')];
  expect(slash.status).toBe(200);
  expect(slash.body).toEqual(plain.body);
});
