// filteringHandlers: the part of an informer's events that a predicate selects.
import type { KubeObject } from '@skiff/api';
import { filteringHandlers } from './filtering-handlers.ts';

const pod = (name: string, nodeName?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: nodeName ? { nodeName } : {} });
const bound = (p: KubeObject) => Boolean(p.spec?.nodeName);

function recorder() {
  const seen: string[] = [];
  const name = (p: KubeObject) => `${p.metadata.name}${p.spec?.nodeName ? `@${p.spec.nodeName}` : ''}`;
  return { seen, handlers: { onAdd: (p: KubeObject) => seen.push(`add ${name(p)}`), onUpdate: (o: KubeObject, n: KubeObject) => seen.push(`update ${name(o)} -> ${name(n)}`), onDelete: (p: KubeObject) => seen.push(`delete ${name(p)}`) } };
}

test('adds, updates and deletes of selected objects pass; the others do not', () => {
  const r = recorder();
  const h = filteringHandlers(bound, r.handlers);
  h.onAdd!(pod('a', 'n1'));
  h.onAdd!(pod('b'));
  h.onUpdate!(pod('a', 'n1'), pod('a', 'n1'));
  h.onUpdate!(pod('b'), pod('b'));
  h.onDelete!(pod('a', 'n1'));
  h.onDelete!(pod('b'));
  expect(r.seen).toEqual(['add a@n1', 'update a@n1 -> a@n1', 'delete a@n1']);
});

test('an update into the selection is an add, out of it a delete carrying the new state', () => {
  const into = recorder();
  filteringHandlers(bound, into.handlers).onUpdate!(pod('p'), pod('p', 'n2'));
  expect(into.seen).toEqual(['add p@n2']);
  const out = recorder();
  filteringHandlers((p) => !bound(p), out.handlers).onUpdate!(pod('p'), pod('p', 'n2'));
  expect(out.seen).toEqual(['delete p@n2']);
});

test('handlers may leave out any of the three', () => {
  const h = filteringHandlers(bound, {});
  expect(() => {
    h.onAdd!(pod('a', 'n'));
    h.onUpdate!(pod('a'), pod('a', 'n'));
    h.onDelete!(pod('a', 'n'));
  }).not.toThrow();
});
