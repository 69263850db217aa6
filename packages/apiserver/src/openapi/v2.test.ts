import protobuf from 'protobufjs/minimal.js';
import { RESOURCES, REVIEW_RESOURCES } from '@skiff/api';
import { buildOpenApi } from './documents.ts';
import { v2Schema } from './v2.ts';

const docs = buildOpenApi();
const swagger = JSON.parse(docs.v2().json.toString());

/** Every `$ref` below `node`. */
function refs(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((v) => refs(v, into));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) k === '$ref' ? into.push(v as string) : refs(v, into);
  return into;
}

/** A protobuf message as field number -> raw values (length-delimited ones as Buffers), with protobufjs's Reader. */
function fields(buf: Uint8Array): Map<number, (Buffer | number)[]> {
  const r = protobuf.Reader.create(buf);
  const out = new Map<number, (Buffer | number)[]>();
  while (r.pos < r.len) {
    const t = r.uint32();
    const v = (t & 7) === 2 ? Buffer.from(r.bytes()) : (t & 7) === 0 ? r.uint32() : (r.skipType(t & 7), -1);
    out.set(t >>> 3, [...(out.get(t >>> 3) ?? []), v]);
  }
  return out;
}
const text = (v: Buffer | number) => (v as Buffer).toString('utf8');

describe('the Swagger 2.0 document of /openapi/v2', () => {
  it('holds the v3 documents\' component schemas, every kind tagged with its group-version-kind, the review kinds included', () => {
    expect(swagger).toMatchObject({ swagger: '2.0', paths: {} });
    const merged = new Set<string>();
    for (const d of docs.byKey.values()) Object.keys(JSON.parse(d.body.toString()).components.schemas).forEach((n) => merged.add(n));
    expect(Object.keys(swagger.definitions).sort()).toEqual([...merged].sort());
    for (const r of [...RESOURCES, ...REVIEW_RESOURCES]) {
      const tagged = Object.values(swagger.definitions).filter((s: any) => s['x-kubernetes-group-version-kind']?.some((g: any) => g.kind === r.kind && g.group === r.group && g.version === r.version));
      expect(tagged).toHaveLength(1);
    }
  });

  it('refers within #/definitions only, every reference resolving, no allOf left', () => {
    const all = refs(swagger.definitions);
    expect(all.length).toBeGreaterThan(100);
    for (const ref of all) {
      expect(ref.startsWith('#/definitions/')).toBe(true);
      expect(swagger.definitions).toHaveProperty([ref.slice('#/definitions/'.length)]);
    }
    expect(docs.v2().json.toString()).not.toContain('"allOf"');
  });

  it('writes a lone allOf $ref as a $ref beside the property\'s own keywords', () => {
    const v3 = { description: 'd', allOf: [{ $ref: '#/components/schemas/io.k8s.X' }], default: {}, 'x-kubernetes-patch-strategy': 'merge' };
    expect(v2Schema(v3)).toEqual({ description: 'd', $ref: '#/definitions/io.k8s.X', default: {}, 'x-kubernetes-patch-strategy': 'merge' });
    expect(v2Schema({ type: 'array', items: { $ref: '#/components/schemas/io.k8s.Y' } })).toEqual({ type: 'array', items: { $ref: '#/definitions/io.k8s.Y' } });
  });

  it('is encoded as gnostic\'s openapi.v2.Document: swagger, info, paths, and each definition by name', () => {
    const doc = fields(docs.v2().protobuf);
    expect(text(doc.get(1)![0])).toBe('2.0');
    const info = fields(doc.get(2)![0] as Buffer);
    expect(text(info.get(1)![0])).toBe('Kubernetes');
    expect(doc.get(8)).toHaveLength(1);
    const named = fields(doc.get(9)![0] as Buffer).get(1)!.map((b) => fields(b as Buffer));
    expect(named.map((n) => text(n.get(1)![0]))).toEqual(Object.keys(swagger.definitions));
    // TokenReview: type object, its properties by name, its group-version-kind as YAML.
    const tr = named.find((n) => text(n.get(1)![0]) === 'io.k8s.api.authentication.v1.TokenReview')!;
    const schema = fields(tr.get(2)![0] as Buffer);
    expect(text(fields(schema.get(22)![0] as Buffer).get(1)![0])).toBe('object');
    const props = fields(schema.get(25)![0] as Buffer).get(1)!.map((b) => text(fields(b as Buffer).get(1)![0]));
    expect(props.sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    const ext = fields(schema.get(31)![0] as Buffer);
    expect(text(ext.get(1)![0])).toBe('x-kubernetes-group-version-kind');
    expect(JSON.parse(text(fields(ext.get(2)![0] as Buffer).get(2)![0]))).toEqual([{ group: 'authentication.k8s.io', kind: 'TokenReview', version: 'v1' }]);
  });
});
