import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESOURCES } from '../resources.ts';
import { modelType, modelTypeIdOf, modelTypeIds, parsePatch } from './model.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '../../../..');

describe('the generated model', () => {
  it('is what scripts/gen-model.ts generates from client-node (nobody edited it by hand)', () => {
    const out = mkdtempSync(join(tmpdir(), 'skiff-model-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/gen-model.ts'), '--out', out], { stdio: 'pipe' });
      for (const f of ['k8s-1.32.json', 'k8s-1.32.docs.json', 'types.generated.ts']) {
        expect([f, readFileSync(join(out, f), 'utf8') === readFileSync(join(HERE, f), 'utf8')]).toEqual([f, true]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('has every served kind and its list', () => {
    for (const r of RESOURCES) {
      expect(modelTypeIdOf(r)).toBeDefined();
      expect(modelTypeIdOf({ ...r, kind: r.listKind })).toBeDefined();
    }
  });

  it('names types as Kubernetes OpenAPI does', () => {
    expect(modelTypeIdOf({ group: '', version: 'v1', kind: 'Pod' })).toBe('io.k8s.api.core.v1.Pod');
    expect(modelTypeIdOf({ group: 'apps', version: 'v1', kind: 'StatefulSet' })).toBe('io.k8s.api.apps.v1.StatefulSet');
    expect(modelTypeIdOf({ group: 'autoscaling', version: 'v1', kind: 'Scale' })).toBe('io.k8s.api.autoscaling.v1.Scale');
    expect(modelTypeIdOf({ group: 'events.k8s.io', version: 'v1', kind: 'Event' })).toBe('io.k8s.api.events.v1.Event');
    expect(modelTypeIdOf({ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' })).toBe('io.k8s.api.storage.v1.StorageClass');
    expect(modelTypeIdOf({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })).toBe(
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    );
    expect(modelType('io.k8s.api.core.v1.PodSpec')!.props.containers).toBe('[]io.k8s.api.core.v1.Container');
    expect(modelType('io.k8s.api.core.v1.ObjectReference')).toBeDefined();
    expect(modelType('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!.props.creationTimestamp).toBe('date-time');
  });

  it('carries the kinds other helpers will serve next', () => {
    for (const [group, kind] of [['', 'ConfigMap'], ['', 'Secret'], ['', 'ServiceAccount'], ['', 'PersistentVolumeClaim'], ['', 'PersistentVolume'], ['storage.k8s.io', 'StorageClass'], ['apps', 'StatefulSet'], ['apps', 'DaemonSet'], ['batch', 'Job'], ['batch', 'CronJob']]) {
      expect([kind, modelTypeIdOf({ group, version: 'v1', kind })]).toEqual([kind, expect.any(String)]);
    }
  });

  it('marks quantities and []byte fields', () => {
    expect(modelType('io.k8s.api.core.v1.ResourceRequirements')!.props.limits).toBe('{}quantity');
    expect(modelType('io.k8s.api.core.v1.EmptyDirVolumeSource')!.props.sizeLimit).toBe('quantity');
    expect(modelType('io.k8s.api.core.v1.Secret')!.props.data).toBe('{}byte');
    expect(modelType('io.k8s.api.core.v1.ConfigMap')!.props.binaryData).toBe('{}byte');
  });

  it('gives every referenced type a definition', () => {
    const scalars = new Set(['string', 'int32', 'int64', 'double', 'boolean', 'date-time', 'date-time-micro', 'byte', 'quantity', 'int-or-string', 'any']);
    for (const id of modelTypeIds()) {
      for (const ref of Object.values(modelType(id)!.props)) {
        const inner = ref.replace(/^(\[\]|\{\})+/, '');
        expect([id, ref, scalars.has(inner) || modelType(inner) !== undefined]).toEqual([id, ref, true]);
      }
    }
  });

  it('keys patch merges by a field the element type has', () => {
    for (const id of modelTypeIds()) {
      const def = modelType(id)!;
      for (const [field, spec] of Object.entries(def.patch ?? {})) {
        const { mergeKey } = parsePatch(spec);
        if (!mergeKey) continue;
        const element = modelType(def.props[field].replace(/^\[\]/, ''));
        expect([id, field, element?.props[mergeKey] !== undefined]).toEqual([id, field, true]);
      }
    }
  });
});
