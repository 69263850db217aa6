import type { KubeObject } from '@skiff/api';
import { DESCRIPTION, planRootCAConfigMap } from './plan.ts';

const ns = (name: string, terminating = false): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: terminating ? 'Terminating' : 'Active' } });
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('made where missing, put right where changed, left alone where right or the namespace is going', () => {
  const plan = planRootCAConfigMap(ns('a'), undefined, CA);
  expect(plan).toEqual({ create: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'a', annotations: { 'kubernetes.io/description': DESCRIPTION } }, data: { 'ca.crt': CA } } });
  const right = (plan as { create: KubeObject }).create;
  expect(planRootCAConfigMap(ns('a'), right, CA)).toBeUndefined();
  const tampered = { ...right, metadata: { ...right.metadata, annotations: { mine: 'x' } }, data: { 'ca.crt': 'evil', extra: 'y' } };
  expect(planRootCAConfigMap(ns('a'), tampered, CA)).toEqual({ update: { ...right, metadata: { ...right.metadata, annotations: { mine: 'x', 'kubernetes.io/description': DESCRIPTION } } } });
  expect(planRootCAConfigMap(ns('b', true), undefined, CA)).toBeUndefined();
});
