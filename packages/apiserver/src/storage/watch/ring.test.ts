import { LazyEvent } from './event.ts';
import { EventRing } from './ring.ts';

const ev = (rev: number, size = 10) => new LazyEvent('ADDED', rev, { resource: 'pods', namespace: 'ns', name: `p${rev}` }, 'x'.repeat(size), undefined);

describe('EventRing', () => {
  test('keeps the last `capacity` events, addressable by revision', () => {
    const r = new EventRing(3, 1e9);
    expect(r.get(1)).toBeUndefined();
    for (let i = 1; i <= 5; i++) r.push(ev(i));
    expect(r.length).toBe(3);
    expect(r.oldestRevision).toBe(3);
    expect(r.newestRevision).toBe(5);
    expect(r.get(2)).toBeUndefined();
    expect(r.get(3)!.revision).toBe(3);
    expect(r.get(5)!.revision).toBe(5);
    expect(r.get(6)).toBeUndefined();
  });

  test('evicts oldest events beyond the byte budget but always keeps the newest', () => {
    const r = new EventRing(100, 300);
    for (let i = 1; i <= 10; i++) r.push(ev(i, 36)); // 100 bytes each with overhead
    expect(r.length).toBe(3);
    expect(r.bytes).toBeLessThanOrEqual(300);
    r.push(ev(11, 1000));
    expect(r.length).toBe(1);
    expect(r.get(11)).toBeDefined();
  });

  test('a gap in revisions restarts the window', () => {
    const r = new EventRing(10, 1e9);
    r.push(ev(1));
    r.push(ev(2));
    r.push(ev(5));
    expect(r.length).toBe(1);
    expect(r.get(2)).toBeUndefined();
    expect(r.get(5)!.revision).toBe(5);
  });

  test('lazy event parses once, until released', () => {
    const e = new LazyEvent('MODIFIED', 1, { resource: 'pods', namespace: '', name: 'a' }, '{"a":1}', '{"a":0}');
    const first = e.object;
    expect(e.object).toBe(first);
    expect(e.prevObject).toEqual({ a: 0 });
    e.release();
    expect(e.object).not.toBe(first);
    expect(e.object).toEqual({ a: 1 });
  });
});
