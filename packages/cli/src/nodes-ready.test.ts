import type { Node } from '@skiff/api';
import { nodesNotReadySince } from './nodes-ready.ts';

const node = (name: string, status: string, lastHeartbeatTime?: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: {},
  status: { conditions: [{ type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2026-12-06T06:00:09Z' }, { type: 'Ready', status, lastHeartbeatTime }] },
});

const since = new Date('2026-12-06T06:00:05.700Z');

test('a Node counts once its Ready=True heartbeat is from this run (to the second)', () => {
  const nodes = [
    node('earlier-run', 'True', '2026-12-06T05:58:00Z'),
    node('same-second', 'True', '2026-12-06T06:00:05Z'),
    node('this-run', 'True', '2026-12-06T06:00:07Z'),
    node('not-ready', 'False', '2026-12-06T06:00:07Z'),
    node('no-heartbeat', 'True'),
  ];
  expect(nodesNotReadySince(nodes, ['earlier-run', 'same-second', 'this-run', 'not-ready', 'no-heartbeat', 'missing'], since)).toEqual(['earlier-run', 'not-ready', 'no-heartbeat', 'missing']);
});
