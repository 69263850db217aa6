import type { KubeObject } from '@skiff/api';
import { LazyEvent } from '../storage/watch/event.ts';
import { openIn, pod, podKey, tempDir } from '../storage/sqlite/test-helpers.ts';
import type { SqliteStorage } from '../storage/sqlite/storage.ts';
import { NodeGraph, unboundPodEvent } from './node-graph.ts';

const event = (o: KubeObject) => new LazyEvent('ADDED', 1, podKey(o.metadata.name!), JSON.stringify(o), undefined);

describe('unboundPodEvent', () => {
  test('an event is passed over only when its stored text says no node', () => {
    expect(unboundPodEvent(event(pod('a')))).toBe(true);
    expect(unboundPodEvent(event(pod('a', 'default', { spec: { nodeName: 'n1', containers: [] } })))).toBe(false);
    // A string that is the word exactly (a label's value) only costs a parse; quotes inside a
    // longer string are escaped, so they never spell the key.
    expect(unboundPodEvent(event(pod('a', 'default', { metadata: { name: 'a', labels: { role: 'nodeName' } } })))).toBe(false);
    expect(unboundPodEvent(event(pod('a', 'default', { metadata: { name: 'a', annotations: { note: 'set "nodeName" later' } } })))).toBe(true);
    // Without the text, nothing can be told: never passed over.
    expect(unboundPodEvent({ type: 'ADDED', revision: 1, key: podKey('a'), object: pod('a') })).toBe(false);
  });
});

describe('NodeGraph', () => {
  let t: ReturnType<typeof tempDir>;
  let s: SqliteStorage;
  let g: NodeGraph;
  beforeEach(async () => {
    t = tempDir();
    s = openIn(t.dir);
    g = new NodeGraph(s, () => undefined);
    await g.start();
  });
  afterEach(() => {
    g.close();
    s.close();
    t.cleanup();
  });

  const withSecret = (name: string, nodeName?: string) =>
    pod(name, 'default', { spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'v', secret: { secretName: 'db' } }] } });

  test('a pod gives its node the objects it uses once bound, whatever unbound writes came before, until it is deleted', async () => {
    await s.create(podKey('web'), withSecret('web'));
    await s.update(podKey('web'), (cur) => ({ ...cur, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } }));
    expect(g.uses('n1', 'secret', 'default', 'db')).toBe(false);
    expect(g.nodeOf('default', 'web')).toBeUndefined();

    await s.update(podKey('web'), (cur) => ({ ...cur, spec: { ...cur.spec, nodeName: 'n1' } }));
    expect(g.uses('n1', 'secret', 'default', 'db')).toBe(true);
    expect(g.uses('n2', 'secret', 'default', 'db')).toBe(false);
    expect(g.nodeOf('default', 'web')).toBe('n1');

    await s.delete(podKey('web'));
    expect(g.uses('n1', 'secret', 'default', 'db')).toBe(false);
    expect(g.nodeOf('default', 'web')).toBeUndefined();
  });

  test('a pod created bound (a DaemonSet pod, a static pod) counts at once; an unbound one deleted changes nothing', async () => {
    await s.create(podKey('ds'), withSecret('ds', 'n2'));
    await s.create(podKey('pending'), withSecret('pending'));
    expect(g.uses('n2', 'secret', 'default', 'db')).toBe(true);
    await s.delete(podKey('pending'));
    expect(g.uses('n2', 'secret', 'default', 'db')).toBe(true);
    expect(g.nodeOf('default', 'ds')).toBe('n2');
  });
});
