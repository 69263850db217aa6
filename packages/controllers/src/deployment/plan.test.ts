import fc from 'fast-check';
import type { KubeObject } from '@skiff/api';
import { computePodTemplateHash, templatesEqualIgnoringHash } from './hash.ts';
import { computeHistoryCleanup, planRollout, type RolloutPlan } from './plan.ts';
import { computeNewReplicaSetReplicas, maxUnavailableOf, resolveFenceposts } from './replicas.ts';
import { REVISION_ANNOTATION } from './revision.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });

function deployment(o: { replicas?: number; image?: string; surge?: number | string; unavailable?: number | string; strategy?: string; generation?: number; status?: any; paused?: boolean; deadline?: number; history?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'D', generation: o.generation ?? 1, annotations: {} },
    spec: {
      replicas: o.replicas ?? 10,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'web:1'),
      strategy: o.strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.surge ?? '25%', maxUnavailable: o.unavailable ?? '25%' } },
      paused: o.paused,
      progressDeadlineSeconds: o.deadline,
      revisionHistoryLimit: o.history,
    },
    status: o.status ?? {},
  };
}

describe('fenceposts', () => {
  test.each([
    [10, 3, 2, 3, 2],
    [10, '25%', '25%', 3, 2],
    [4, '25%', '25%', 1, 1],
    [3, 0, 0, 0, 1],
    [1, '10%', '10%', 1, 0],
    [10, '0%', '0%', 0, 1],
  ])('replicas %p surge %p unavailable %p -> %p / %p', (replicas, surge, unavailable, es, eu) => {
    expect(resolveFenceposts(deployment({ replicas, surge, unavailable }))).toEqual({ maxSurge: es, maxUnavailable: eu });
  });
  test('maxUnavailable never above replicas, 0 for Recreate', () => {
    expect(maxUnavailableOf(deployment({ replicas: 2, unavailable: 5 }))).toBe(2);
    expect(maxUnavailableOf(deployment({ strategy: 'Recreate' }))).toBe(0);
  });
});

test('template hash is stable across key order and ignores the hash label', () => {
  const a = { metadata: { labels: { app: 'x', tier: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const b = { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'y', app: 'x', 'pod-template-hash': 'zzz' } } };
  expect(computePodTemplateHash(a)).toBe(computePodTemplateHash(b));
  expect(computePodTemplateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  expect(computePodTemplateHash(a, 1)).not.toBe(computePodTemplateHash(a));
  expect(templatesEqualIgnoringHash(a, b)).toBe(true);
  expect(templatesEqualIgnoringHash(a, template('other'))).toBe(false);
});

// A tiny world: ReplicaSets whose pods become available at random, as the ReplicaSet controller
// and the kubelets would make them.
function applyPlan(rss: KubeObject[], plan: RolloutPlan, t: number): KubeObject[] {
  let next = rss.map((rs) => plan.update.find((u) => u.metadata.name === rs.metadata.name) ?? rs);
  next = next.filter((rs) => !plan.delete.some((x) => x.metadata.name === rs.metadata.name));
  if (plan.create) next.push({ ...plan.create, metadata: { ...plan.create.metadata, uid: `uid-${plan.create.metadata.name}`, creationTimestamp: new Date(t).toISOString() } });
  return next.map((rs) => {
    // Scale-down removes unavailable pods first; pods vanish at once.
    const replicas = rs.spec.replicas;
    const available = Math.min(rs.status?.availableReplicas ?? 0, replicas);
    return { ...rs, status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 } };
  });
}

function progress(rss: KubeObject[], rnd: () => number): KubeObject[] {
  return rss.map((rs) => {
    const room = rs.spec.replicas - rs.status.availableReplicas;
    const add = room > 0 ? Math.floor(rnd() * (room + 1)) : 0;
    return { ...rs, status: { ...rs.status, availableReplicas: rs.status.availableReplicas + add, readyReplicas: rs.status.availableReplicas + add } };
  });
}

function settled(d: KubeObject, from: KubeObject[] = []): KubeObject[] {
  let rss = from;
  let dep = d;
  for (let i = 0; i < 100; i++) {
    const plan = planRollout({ deployment: dep, replicaSets: rss, pods: [], now: T0 });
    rss = progress(applyPlan(rss, plan, T0 + i), () => 1);
    dep = { ...dep, metadata: { ...dep.metadata, annotations: { ...dep.metadata.annotations, ...(plan.revision ? { [REVISION_ANNOTATION]: plan.revision } : {}) } }, status: plan.status };
    if (plan.status.availableReplicas === dep.spec.replicas && plan.status.updatedReplicas === dep.spec.replicas && plan.status.replicas === dep.spec.replicas && plan.update.length === 0 && !plan.create) return rss;
  }
  throw new Error('did not settle');
}

describe('planRollout', () => {
  test('a fresh deployment creates its ReplicaSet at full size, revision 1', () => {
    const plan = planRollout({ deployment: deployment({ replicas: 5 }), replicaSets: [], pods: [], now: T0 });
    expect(plan.create?.spec.replicas).toBe(5);
    expect(plan.create?.metadata.name).toMatch(/^web-[a-z0-9]+$/);
    expect(plan.create?.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: '1', 'deployment.kubernetes.io/desired-replicas': '5', 'deployment.kubernetes.io/max-replicas': '7' });
    expect(plan.create?.spec.selector.matchLabels['pod-template-hash']).toBeDefined();
    expect(plan.revision).toBe('1');
    expect(plan.events[0]).toMatchObject({ reason: 'ScalingReplicaSet', message: expect.stringMatching(/^Scaled up replica set web-\w+ from 0 to 5$/) });
    expect(plan.status.conditions.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated' });
  });

  test('property: a rolling update never exceeds replicas+maxSurge nor drops below replicas-maxUnavailable, and finishes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat(5), fc.nat(5), fc.integer(), (replicas, surge, unavailable, seed) => {
        const d1 = deployment({ replicas, surge, unavailable });
        let rss = settled(d1);
        const { maxSurge, maxUnavailable } = resolveFenceposts(d1);
        let dep = deployment({ replicas, surge, unavailable, image: 'web:2', generation: 2, status: planRollout({ deployment: d1, replicaSets: rss, pods: [], now: T0 }).status });
        dep.metadata.annotations = { [REVISION_ANNOTATION]: '1' };
        let s = seed;
        const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % 1000) / 1000;
        for (let i = 0; i < 500; i++) {
          const plan = planRollout({ deployment: dep, replicaSets: rss, pods: [], now: T0 + i * 1000 });
          rss = applyPlan(rss, plan, T0 + i * 1000);
          const total = rss.reduce((a, rs) => a + rs.spec.replicas, 0);
          const available = rss.reduce((a, rs) => a + rs.status.availableReplicas, 0);
          expect(total).toBeLessThanOrEqual(replicas + maxSurge);
          expect(available).toBeGreaterThanOrEqual(Math.min(replicas - Math.min(maxUnavailable, replicas), replicas));
          dep = { ...dep, metadata: { ...dep.metadata, annotations: { ...dep.metadata.annotations, ...(plan.revision ? { [REVISION_ANNOTATION]: plan.revision } : {}) } }, status: plan.status };
          if (plan.status.updatedReplicas === replicas && plan.status.availableReplicas === replicas && plan.status.replicas === replicas) {
            expect(plan.status.conditions.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
            expect(dep.metadata.annotations![REVISION_ANNOTATION]).toBe('2');
            return;
          }
          rss = progress(rss, rnd);
        }
        throw new Error('rollout did not finish');
      }),
      { numRuns: 60 },
    );
  });

  test('maxSurge 3 / maxUnavailable 2 on 10: first step surges to 13', () => {
    const d1 = deployment({ replicas: 10, surge: 3, unavailable: 2 });
    const rss = settled(d1);
    const d2 = deployment({ replicas: 10, surge: 3, unavailable: 2, image: 'web:2', generation: 2 });
    const plan = planRollout({ deployment: d2, replicaSets: rss, pods: [], now: T0 });
    expect(plan.create?.spec.replicas).toBe(3);
    expect(computeNewReplicaSetReplicas(d2, [...rss, plan.create!], plan.create)).toBe(3);
    // The new ReplicaSet is unavailable: old scale down to 10 - 2 = 8 (budget 13 - 8 - 3 = 2).
    expect(plan.update.map((rs) => rs.spec.replicas)).toEqual([8]);
    // Then the new one surges again to 13 in total.
    const plan2 = planRollout({ deployment: d2, replicaSets: applyPlan(rss, plan, T0), pods: [], now: T0 });
    expect(plan2.update.map((rs) => rs.spec.replicas)).toEqual([5]);
  });

  test('undo: the old ReplicaSet becomes new again with the next revision', () => {
    const d1 = deployment({ replicas: 2 });
    const rss1 = settled(d1);
    const d2 = deployment({ replicas: 2, image: 'web:2', generation: 2 });
    d2.metadata.annotations = { [REVISION_ANNOTATION]: '1' };
    const rss2 = settled(d2, rss1);
    expect(rss2.map((rs) => [rs.spec.replicas, rs.metadata.annotations?.[REVISION_ANNOTATION]])).toEqual([[0, '1'], [2, '2']]);
    const d3 = deployment({ replicas: 2, image: 'web:1', generation: 3 });
    d3.metadata.annotations = { [REVISION_ANNOTATION]: '2' };
    const plan = planRollout({ deployment: d3, replicaSets: rss2, pods: [], now: T0 });
    expect(plan.create).toBeUndefined();
    const back = plan.update.find((rs) => rs.metadata.name === rss1[0].metadata.name)!;
    expect(back.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(plan.revision).toBe('3');
  });

  test('Recreate scales old to zero, waits for their pods, then creates the new one', () => {
    const d1 = deployment({ replicas: 3, strategy: 'Recreate' });
    const rss = settled(d1);
    const d2 = deployment({ replicas: 3, strategy: 'Recreate', image: 'web:2', generation: 2 });
    const p1 = planRollout({ deployment: d2, replicaSets: rss, pods: [], now: T0 });
    expect(p1.create).toBeUndefined();
    expect(p1.update.map((rs) => rs.spec.replicas)).toEqual([0]);
    const scaled = p1.update.map((rs) => ({ ...rs, status: { replicas: 3 } }));
    expect(planRollout({ deployment: d2, replicaSets: scaled, pods: [], now: T0 }).create).toBeUndefined();
    const gone = p1.update.map((rs) => ({ ...rs, status: { replicas: 0 } }));
    expect(planRollout({ deployment: d2, replicaSets: gone, pods: [], now: T0 }).create?.spec.replicas).toBe(3);
  });

  test('progress deadline: no progress past the deadline gives ProgressDeadlineExceeded', () => {
    const d = deployment({ replicas: 2, deadline: 5 });
    const p1 = planRollout({ deployment: d, replicaSets: [], pods: [], now: T0 });
    expect(p1.requeueAfterMs).toBeGreaterThan(4000);
    // Pods never appear.
    const rss = applyPlan([], p1, T0).map((rs) => ({ ...rs, status: { replicas: 0, availableReplicas: 0, readyReplicas: 0 } }));
    const d2 = { ...d, status: p1.status };
    const p2 = planRollout({ deployment: d2, replicaSets: rss, pods: [], now: T0 + 2000 });
    expect(p2.status.conditions.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetCreated');
    const p3 = planRollout({ deployment: { ...d2, status: p2.status }, replicaSets: rss, pods: [], now: T0 + 7000 });
    expect(p3.status.conditions.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(p3.status.conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(p3.status).toMatchObject({ replicas: 0, updatedReplicas: 0, availableReplicas: 0, unavailableReplicas: 2, observedGeneration: 1 });
  });

  test('paused: no new ReplicaSet, Progressing Unknown DeploymentPaused', () => {
    const d1 = deployment({ replicas: 2 });
    const rss = settled(d1);
    const d2 = deployment({ replicas: 2, image: 'web:2', generation: 2, paused: true });
    const p = planRollout({ deployment: d2, replicaSets: rss, pods: [], now: T0 });
    expect(p.create).toBeUndefined();
    expect(p.status.conditions.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
  });

  test('scaling in the middle of a rollout is proportional', () => {
    const d1 = deployment({ replicas: 10, surge: 3, unavailable: 2 });
    let rss = settled(d1);
    const d2 = deployment({ replicas: 10, surge: 3, unavailable: 2, image: 'web:2', generation: 2 });
    rss = applyPlan(rss, planRollout({ deployment: d2, replicaSets: rss, pods: [], now: T0 }), T0);
    expect(rss.map((rs) => rs.spec.replicas)).toEqual([8, 3]);
    const d3 = deployment({ replicas: 20, surge: 3, unavailable: 2, image: 'web:2', generation: 3 });
    const p = planRollout({ deployment: d3, replicaSets: rss, pods: [], now: T0 });
    const sizes = applyPlan(rss, p, T0).map((rs) => rs.spec.replicas);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(23);
    expect(sizes[0]).toBeGreaterThan(sizes[1]);
  });

  test('history cleanup deletes the oldest empty ReplicaSets beyond the limit', () => {
    const rs = (n: number, replicas: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `r${n}`, generation: 1, annotations: { [REVISION_ANNOTATION]: String(n) } }, spec: { replicas }, status: { replicas, observedGeneration: 1 } });
    const out = computeHistoryCleanup(deployment({ history: 1 }), [rs(3, 0), rs(1, 0), rs(2, 1)]);
    expect(out.map((r) => r.metadata.name)).toEqual(['r1']);
  });
});
