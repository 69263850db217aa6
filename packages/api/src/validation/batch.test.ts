import type { KubeObject } from '../object.ts';
import { RESOURCES } from '../resources.ts';
import { applyDefaults } from '../defaults/index.ts';
import { validateCreate, validateUpdate } from './index.ts';

const JOB = RESOURCES.find((r) => r.kind === 'Job')!;

function job(spec: Record<string, unknown>): KubeObject {
  return applyDefaults(JOB, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default' },
    spec: { template: { metadata: { labels: { app: 'j' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } }, selector: { matchLabels: { app: 'j' } }, manualSelector: true, ...spec },
  } as KubeObject);
}
const causes = (o: KubeObject) => validateCreate(JOB, o).map((c) => `${c.field}: ${c.message}`);

describe('Job successPolicy (Kubernetes 1.32 validateSuccessPolicy)', () => {
  const indexed = { completionMode: 'Indexed', completions: 5, parallelism: 5 };

  it('accepts rules by indexes, by count, or both', () => {
    expect(causes(job({ ...indexed, successPolicy: { rules: [{ succeededIndexes: '0,2-4', succeededCount: 2 }, { succeededCount: 5 }, { succeededIndexes: '1' }] } }))).toEqual([]);
  });

  it('refuses every broken rule, each with its field', () => {
    const got = causes(
      job({
        ...indexed,
        successPolicy: { rules: [{}, { succeededIndexes: '3,1' }, { succeededIndexes: '0-9' }, { succeededIndexes: '0-1', succeededCount: 3 }, { succeededCount: 6 }, { succeededIndexes: 'a' }] },
      }),
    );
    expect(got).toEqual([
      'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
      'spec.successPolicy.rules[1].succeededIndexes: Invalid value: "3,1": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1',
      'spec.successPolicy.rules[2].succeededIndexes: Invalid value: "0-9": error parsing succeededIndexes: too large index: "9"',
      'spec.successPolicy.rules[3].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
      'spec.successPolicy.rules[4].succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)',
      'spec.successPolicy.rules[5].succeededIndexes: Invalid value: "a": error parsing succeededIndexes: cannot convert string to integer for index: "a"',
    ]);
  });

  it('needs Indexed mode and at least one rule', () => {
    const got = causes(job({ completions: 5, successPolicy: { rules: [] } }));
    expect(got.map((c) => c.split(':')[0])).toEqual(['spec.successPolicy', 'spec.successPolicy.rules']);
    expect(got[1]).toBe('spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified');
  });

  it('is immutable, as are managedBy and backoffLimitPerIndex', () => {
    const old = { ...job({ ...indexed, backoffLimitPerIndex: 1, successPolicy: { rules: [{ succeededCount: 1 }] }, managedBy: 'example.com/mine' }), metadata: { name: 'j', namespace: 'default', uid: 'u', resourceVersion: '1' } };
    const next = { ...old, spec: { ...old.spec, backoffLimitPerIndex: 2, successPolicy: { rules: [{ succeededCount: 2 }] }, managedBy: 'kubernetes.io/job-controller' } };
    const fields = validateUpdate(JOB, next, old).map((c) => `${c.field}: ${c.message}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^spec.backoffLimitPerIndex: Invalid value: 2: field is immutable$/),
        expect.stringMatching(/^spec.successPolicy: Invalid value: .*: field is immutable$/),
        expect.stringMatching(/^spec.managedBy: Invalid value: "kubernetes.io\/job-controller": field is immutable$/),
      ]),
    );
  });
});
