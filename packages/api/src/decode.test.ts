import { decodeObject, findUnknownFields, strictDecodingError } from './decode.ts';
import { RESOURCES } from './resources.ts';
import { kindShape } from './model/shape.ts';

const res = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

describe('decodeObject', () => {
  it('has a model type for every resource and its list', () => {
    for (const r of RESOURCES) {
      expect(kindShape(r)?.id).toMatch(new RegExp(`\\.${r.version}\\.${r.kind}$`));
      expect(kindShape({ ...r, kind: r.listKind })).toBeDefined();
    }
  });

  it('drops unknown fields and nulls, canonicalises quantities, fills Go zero values', () => {
    const r = decodeObject(res('Pod'), {
      metadata: { name: 'x', creationTimestamp: null },
      spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: 1.5, memory: '0.5Gi' } }, bogus: 1 }] },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.object).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x' },
      spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1500m', memory: '512Mi' } } }] },
      status: {},
    });
    expect(r.unknownFields).toEqual(['spec.containers[0].bogus']);
  });

  it('fills zero values like Go for required fields', () => {
    const r = decodeObject(res('Service'), { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
    expect(r.ok && r.object.status).toEqual({ loadBalancer: {} });
    const d = decodeObject(res('Deployment'), { metadata: { name: 'd' }, spec: {} });
    expect(d.ok && d.object.spec).toEqual({ template: { metadata: {}, spec: { containers: [] } }, strategy: {} });
  });

  it('reports type errors with the Go decoder message', () => {
    const r = decodeObject(res('Deployment'), { spec: { replicas: '3' } });
    expect(r).toEqual({
      ok: false,
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    });
    const q = decodeObject(res('Pod'), { spec: { containers: [{ name: 'c', resources: { requests: { cpu: 'lots' } } }] } });
    expect(!q.ok && q.message).toBe(
      "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    const big = decodeObject(res('Deployment'), { spec: { replicas: 2 ** 31 } });
    expect(big.ok).toBe(false);
    const top = decodeObject(res('Pod'), []);
    expect(!top.ok && top.message).toMatch(/cannot unmarshal array into Go value of type v1.Pod/);
  });

  it('checks base64 of []byte fields, as Go does', () => {
    const secret = { group: '', version: 'v1', kind: 'Secret' };
    expect(decodeObject(secret, { data: { a: 'aGk=' } }).ok).toBe(true);
    expect(decodeObject(secret, { data: { a: 'a$k=' } })).toEqual({
      ok: false,
      message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 1',
    });
  });

  it('parses times as Go does and stores them in UTC, as metav1.Time writes them', () => {
    const ev = { group: '', version: 'v1', kind: 'Event' };
    const r = decodeObject(ev, { involvedObject: {}, firstTimestamp: '2024-01-02T05:04:05.9+02:00', eventTime: '2024-01-02T03:04:05.123456Z' });
    expect(r.ok && [r.object.firstTimestamp, r.object.eventTime]).toEqual(['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.123456Z']);
    expect(decodeObject(ev, { lastTimestamp: 'yesterday' })).toEqual({
      ok: false,
      message: 'Event in version "v1" cannot be handled as a Event: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    });
    expect(decodeObject(ev, { lastTimestamp: '2024-13-01T00:00:00Z' })).toMatchObject({ ok: false, message: expect.stringContaining('month out of range') });
  });

  it('accepts int-or-string in both forms', () => {
    const r = decodeObject(res('Service'), { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } });
    expect(r.ok).toBe(true);
    expect(decodeObject(res('Service'), { spec: { ports: [{ port: 80, targetPort: true }] } }).ok).toBe(false);
  });
});

describe('findUnknownFields', () => {
  it('lists every unknown path', () => {
    expect(
      findUnknownFields(res('Deployment'), {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        foo: 1,
        metadata: { name: 'd', nme: 'x' },
        spec: { replica: 3, template: { spec: { containers: [{ name: 'a' }, { name: 'b', imagePullPolice: 'x' }] } } },
      }),
    ).toEqual(['foo', 'metadata.nme', 'spec.replica', 'spec.template.spec.containers[1].imagePullPolice']);
    expect(findUnknownFields(res('Pod'), { metadata: { labels: { anything: 'goes' } } })).toEqual([]);
  });

  it('formats the strict decoding error', () => {
    expect(strictDecodingError(['spec.replica', 'foo'])).toBe('strict decoding error: unknown field "spec.replica", unknown field "foo"');
  });
});

describe('hostile keys', () => {
  it('treats prototype names as ordinary unknown fields or map keys', () => {
    const r = decodeObject(res('Pod'), JSON.parse('{"valueOf":[],"constructor":1,"metadata":{"labels":{"__proto__":"x","toString":"y"}},"__proto__":{"polluted":true}}'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.unknownFields).toEqual(['valueOf', 'constructor', '__proto__']);
    expect(Object.keys(r.object.metadata.labels!)).toEqual(['__proto__', 'toString']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
