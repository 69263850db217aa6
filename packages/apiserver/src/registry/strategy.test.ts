import { RESOURCES } from '@skiff/api';
import { deepEqual, strategyFor } from './strategy.ts';

const byPlural = (p: string) => strategyFor(RESOURCES.find((r) => r.plural === p)!);

test('deepEqual ignores key order and undefined members', () => {
  expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
  expect(deepEqual({ a: 1, u: undefined }, { a: 1 })).toBe(true);
  expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  expect(deepEqual({ a: {} }, { a: [] })).toBe(false);
});

test('deployments bump generation for spec and annotation changes, not labels', () => {
  const s = byPlural('deployments');
  const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { a: '1' } }, spec: { replicas: 1 } };
  expect(s.specChanged({ ...base, metadata: { ...base.metadata, labels: { a: '2' } } }, base)).toBe(false);
  expect(s.specChanged({ ...base, spec: { replicas: 2 } }, base)).toBe(true);
  expect(s.specChanged({ ...base, metadata: { ...base.metadata, annotations: { x: 'y' } } }, base)).toBe(true);
});

test('only bound, unfinished pods are deleted gracefully', () => {
  const s = byPlural('pods');
  const pod = (spec: any, status: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec, status });
  expect(s.defaultGracePeriod(pod({}))).toBe(0);
  expect(s.defaultGracePeriod(pod({ nodeName: 'n' }))).toBe(30);
  expect(s.defaultGracePeriod(pod({ nodeName: 'n', terminationGracePeriodSeconds: 5 }))).toBe(5);
  expect(s.defaultGracePeriod(pod({ nodeName: 'n' }, { phase: 'Succeeded' }))).toBe(0);
  expect(byPlural('deployments').defaultGracePeriod(pod({ nodeName: 'n' }))).toBe(0);
});
