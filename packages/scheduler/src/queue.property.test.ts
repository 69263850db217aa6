// Property: whatever pods arrive (with repeats), popping drains each live pod exactly once, by
// priority then age.
import fc from 'fast-check';
import { SchedulingQueue } from './queue.ts';
import { podInfo } from './testing/fixtures.ts';

test('pops each pod once, highest priority first, then oldest', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ id: fc.nat(30), priority: fc.integer({ min: -5, max: 5 }), age: fc.nat(1000), deleted: fc.boolean() }), { maxLength: 80 }),
      (arrivals) => {
        const q = new SchedulingQueue({ now: () => 1e12, initialBackoffMs: 1000, maxBackoffMs: 10_000 });
        const latest = new Map<string, { priority: number; created: number }>();
        const deleted = new Set<string>();
        for (const a of arrivals) {
          const created = Date.parse('2026-01-01T00:00:00Z') + a.age * 1000;
          const key = `default/p${a.id}`;
          if (deleted.has(key)) continue;
          if (a.deleted) {
            q.delete(key);
            latest.delete(key);
            deleted.add(key);
            continue;
          }
          q.addOrUpdate(podInfo(`p${a.id}`, { priority: a.priority, createdAt: new Date(created).toISOString().replace('.000', '') }));
          if (!latest.has(key)) latest.set(key, { priority: a.priority, created });
          else latest.set(key, { ...latest.get(key)!, priority: a.priority });
        }
        const popped: string[] = [];
        for (let p = q.tryPop(); p; p = q.tryPop()) popped.push(p.info.key);
        expect([...popped].sort()).toEqual([...latest.keys()].sort());
        for (let i = 1; i < popped.length; i++) {
          const a = latest.get(popped[i - 1])!;
          const b = latest.get(popped[i])!;
          expect(a.priority > b.priority || (a.priority === b.priority && a.created <= b.created)).toBe(true);
        }
      },
    ),
    { numRuns: 300 },
  );
});
