import type { KubeObject } from '@skiff/api';
import { Store, indexByNamespace, indexByNodeName, indexByOwnerUid, keyOf, splitKey } from './store.ts';

const pod = (ns: string, name: string, node?: string, owner?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, resourceVersion: '1', ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner }] } : {}) },
  spec: node ? { nodeName: node } : {},
});

describe('Store', () => {
  test('keys', () => {
    expect(keyOf(pod('ns', 'a'))).toBe('ns/a');
    expect(keyOf({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } })).toBe('n1');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('n1')).toEqual({ name: 'n1' });
  });

  test('indexes follow set and delete', () => {
    const s = new Store<KubeObject>({ indexers: { namespace: indexByNamespace, node: indexByNodeName } });
    s.set(pod('a', 'p1', 'n1'));
    s.set(pod('a', 'p2'));
    s.set(pod('b', 'p3', 'n1'));
    expect(s.byIndex('namespace', 'a').map(keyOf).sort()).toEqual(['a/p1', 'a/p2']);
    expect(s.byIndex('node', 'n1').map(keyOf).sort()).toEqual(['a/p1', 'b/p3']);
    s.set(pod('a', 'p1', 'n2')); // moved
    expect(s.byIndex('node', 'n1').map(keyOf)).toEqual(['b/p3']);
    expect(s.byIndex('node', 'n2').map(keyOf)).toEqual(['a/p1']);
    s.delete('b/p3');
    expect(s.byIndex('node', 'n1')).toEqual([]);
    expect(() => s.byIndex('nope', 'x')).toThrow(/no index/);
  });

  test('an index added later covers existing objects; a clashing one is refused', () => {
    const s = new Store<KubeObject>();
    s.set(pod('a', 'p1', undefined, 'uid-1'));
    s.addIndexers({ owner: indexByOwnerUid });
    s.addIndexers({ owner: indexByOwnerUid });
    expect(s.byIndex('owner', 'uid-1').map(keyOf)).toEqual(['a/p1']);
    expect(() => s.addIndexers({ owner: indexByNamespace })).toThrow();
  });

  test('stored objects are deeply frozen', () => {
    const s = new Store<KubeObject>();
    const { stored } = s.set(pod('a', 'p1', 'n1'));
    expect(() => {
      stored.spec.nodeName = 'other';
    }).toThrow(TypeError);
    expect(() => {
      stored.metadata.name = 'x';
    }).toThrow(TypeError);
    const loose = new Store<KubeObject>({ freeze: false });
    expect(Object.isFrozen(loose.set(pod('a', 'p1')).stored)).toBe(false);
  });
});
