// Property: whatever the order of assumptions, confirmations, failed bindings, moves and
// deletions, each node's running sums equal the sums over the pods the cache holds on it.
import fc from 'fast-check';
import { SchedulerCache } from './cache.ts';
import { computePodInfo } from './model/pod-info.ts';
import { makeNode, makePod } from './testing/fixtures.ts';

const NODES = ['a', 'b', 'c'];
const op = fc.oneof(
  fc.record({ kind: fc.constant('assume' as const), pod: fc.nat(5), node: fc.constantFrom(...NODES), cpu: fc.integer({ min: 0, max: 900 }) }),
  fc.record({ kind: fc.constant('watch' as const), pod: fc.nat(5), node: fc.constantFrom(...NODES), cpu: fc.integer({ min: 0, max: 900 }) }),
  fc.record({ kind: fc.constant('forget' as const), pod: fc.nat(5) }),
  fc.record({ kind: fc.constant('remove' as const), pod: fc.nat(5) }),
  fc.record({ kind: fc.constant('finish' as const), pod: fc.nat(5) }),
  fc.record({ kind: fc.constant('removeNode' as const), node: fc.constantFrom(...NODES) }),
  fc.record({ kind: fc.constant('addNode' as const), node: fc.constantFrom(...NODES) }),
);

test('node sums always match the pods held', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const cache = new SchedulerCache();
      for (const n of NODES) cache.addOrUpdateNode(makeNode(n));
      for (const o of ops) {
        if (o.kind === 'assume') cache.assume(computePodInfo(makePod(`p${o.pod}`, { cpu: `${o.cpu}m` })), o.node);
        if (o.kind === 'watch') {
          const p = makePod(`p${o.pod}`, { cpu: `${o.cpu}m` });
          p.spec.nodeName = o.node;
          cache.addOrUpdatePod(p);
        }
        if (o.kind === 'forget') cache.forget(`default/p${o.pod}`);
        if (o.kind === 'remove') cache.removePod(`default/p${o.pod}`);
        if (o.kind === 'finish') {
          const p = makePod(`p${o.pod}`);
          p.spec.nodeName = 'a';
          p.status = { phase: 'Succeeded' };
          cache.addOrUpdatePod(p);
        }
        if (o.kind === 'removeNode') cache.removeNode(o.node);
        if (o.kind === 'addNode') cache.addOrUpdateNode(makeNode(o.node));
      }
      let pods = 0;
      for (const n of NODES) {
        const info = cache.nodeInfo(n);
        if (!info) continue;
        let cpu = 0;
        for (const p of info.pods.values()) cpu += p.requests.milliCpu;
        expect(info.requested.milliCpu).toBe(cpu);
        pods += info.pods.size;
      }
      expect(pods).toBe(cache.podCount);
      // The schedulable list holds each known node once.
      const names = cache.nodeList().map((n) => n.name);
      expect(new Set(names).size).toBe(names.length);
    }),
    { numRuns: 300 },
  );
});
