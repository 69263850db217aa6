import type { KubeObject } from '@skiff/api';
import { planServiceAccounts } from './plan.ts';

const ns = (name: string, o: { terminating?: boolean; deleting?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: o.terminating ? 'Terminating' : 'Active' },
});

test('an active namespace without a default account gets one', () => {
  expect(planServiceAccounts(ns('team'), new Set(['builder']))).toEqual([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team' } },
  ]);
});

test('nothing to make when the account exists', () => {
  expect(planServiceAccounts(ns('team'), new Set(['default']))).toEqual([]);
});

test('a namespace being deleted gets nothing', () => {
  expect(planServiceAccounts(ns('gone', { terminating: true }), new Set())).toEqual([]);
  expect(planServiceAccounts(ns('gone', { deleting: true }), new Set())).toEqual([]);
});

test('the wanted names are configurable, each made once', () => {
  expect(planServiceAccounts(ns('team'), new Set(['a']), ['a', 'b']).map((s) => s.metadata.name)).toEqual(['b']);
});
