import { RESOURCES } from '../resources.ts';
import type { KubeObject } from '../object.ts';
import {
  fieldSelectorMatches,
  fieldSelectorToString,
  FieldSelectorError,
  objectMatchesFields,
  parseFieldSelector,
  parseFieldSelectorFor,
  selectableFields,
} from './fields.ts';

const res = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

describe('parseFieldSelector', () => {
  it('parses =, == and != with empty values', () => {
    expect(parseFieldSelector('spec.nodeName=,status.phase!=Running,metadata.name==a').requirements).toEqual([
      { field: 'spec.nodeName', operator: '=', value: '' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
      { field: 'metadata.name', operator: '==', value: 'a' },
    ]);
    expect(parseFieldSelector('').requirements).toEqual([]);
  });

  it('honours escapes', () => {
    const s = parseFieldSelector('reason=a\\,b\\=c');
    expect(s.requirements[0].value).toBe('a,b=c');
    expect(fieldSelectorToString(s)).toBe('reason=a\\,b\\=c');
  });

  it('rejects terms without an operator', () => {
    expect(() => parseFieldSelector('foo')).toThrow("invalid selector: 'foo'; can't understand 'foo'");
  });

  it('matches missing fields as empty', () => {
    expect(fieldSelectorMatches(parseFieldSelector('spec.nodeName='), {})).toBe(true);
    expect(fieldSelectorMatches(parseFieldSelector('spec.nodeName!='), { 'spec.nodeName': 'n1' })).toBe(true);
  });
});

describe('per-kind fields', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler' },
    status: { phase: 'Running', podIP: '10.0.0.5' },
  };

  it('exposes pod fields', () => {
    expect(selectableFields(res('Pod'), pod)).toMatchObject({
      'metadata.name': 'p',
      'metadata.namespace': 'default',
      'spec.nodeName': 'n1',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.5',
      'spec.hostNetwork': 'false',
    });
    expect(objectMatchesFields(res('Pod'), parseFieldSelectorFor(res('Pod'), 'spec.nodeName=n1,status.phase!=Failed'), pod)).toBe(true);
    expect(objectMatchesFields(res('Pod'), parseFieldSelectorFor(res('Pod'), 'spec.host=n2'), pod)).toBe(false);
  });

  it('rejects unsupported fields with the Kubernetes message', () => {
    expect(() => parseFieldSelectorFor(res('Pod'), 'foo=bar')).toThrow(new FieldSelectorError('field label not supported: foo'));
    expect(() => parseFieldSelectorFor(res('Node'), 'metadata.namespace=x')).toThrow('field label not supported: metadata.namespace');
    expect(() => parseFieldSelectorFor(res('Deployment'), 'spec.replicas=1')).toThrow(
      '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });

  it('exposes event, node, namespace and replica set fields', () => {
    const ev = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'p', uid: 'u' }, reason: 'Started', type: 'Normal', source: { component: 'kubelet' },
    } as KubeObject;
    expect(selectableFields(res('Event'), ev)).toMatchObject({ 'involvedObject.kind': 'Pod', 'involvedObject.name': 'p', source: 'kubelet', reason: 'Started' });
    expect(selectableFields(res('Node'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { unschedulable: true } })).toEqual({
      'metadata.name': 'n',
      'spec.unschedulable': 'true',
    });
    expect(selectableFields(res('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, status: { phase: 'Active' } })['status.phase']).toBe('Active');
    expect(selectableFields(res('ReplicaSet'), { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', namespace: 'd' } })['status.replicas']).toBe('0');
  });
});
