import fc from 'fast-check';
import type { KubeObject } from '../object.ts';
import { RESOURCES } from '../resources.ts';
import { applyDefaults } from '../defaults/index.ts';
import { decodeObject } from '../decode.ts';
import { validateCreate } from '../validation/index.ts';
import { DeploymentSchema, type Deployment } from './apps.ts';
import { PodSchema, type Pod } from './pod.ts';
import { schemaFor } from './registry.ts';

const res = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

describe('zod schemas', () => {
  it('drop unknown fields instead of failing', () => {
    const r = PodSchema.safeParse({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { containers: [{ name: 'c', resources: {}, nope: true }] }, status: {}, extra: 1 });
    expect(r.success).toBe(true);
    expect(r.success && (r.data as Record<string, unknown>).extra).toBeUndefined();
  });

  it('infer usable types', () => {
    const d: Deployment = DeploymentSchema.parse({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {},
      spec: { template: { metadata: {}, spec: { containers: [] } }, strategy: { rollingUpdate: { maxSurge: '25%' } } },
      status: {},
    });
    const asKube: KubeObject = d;
    expect(asKube.kind).toBe('Deployment');
    const p: Pod = PodSchema.parse({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] }, status: { containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'i', imageID: '' }] } });
    expect(p.status.containerStatuses?.[0].ready).toBe(true);
  });

  it('accept whatever the decoder and defaulting produce, for every kind', () => {
    for (const r of RESOURCES) {
      const d = decodeObject(r, { metadata: { name: 'x' } });
      expect(d.ok).toBe(true);
      if (!d.ok) continue;
      const parsed = schemaFor(r)!.safeParse(applyDefaults(r, d.object));
      expect(parsed.success).toBe(true);
    }
  });

  it('decode is idempotent and never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...RESOURCES), (json, r) => {
        const first = decodeObject(r, json);
        if (first.ok) {
          const again = decodeObject(r, first.object);
          expect(again.ok && again.object).toEqual(first.object);
          expect(again.ok && again.unknownFields).toEqual([]);
          // Validation must report, not throw, whatever shape got through decoding.
          expect(Array.isArray(validateCreate(r, applyDefaults(r, first.object)))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a realistic deployment and validates it clean', () => {
    const d = decodeObject(res('Deployment'), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' }, creationTimestamp: null },
          spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
    expect(d.ok).toBe(true);
    if (d.ok) expect(validateCreate(res('Deployment'), applyDefaults(res('Deployment'), d.object))).toEqual([]);
  });
});
