import { makePod } from '../testing/fixtures.ts';
import { computePodInfo, computeRequests, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST } from './pod-info.ts';

describe('pod requests', () => {
  test('sums containers, takes the largest init container, adds overhead', () => {
    const pod = makePod('p', {
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
          { name: 'b', resources: { limits: { cpu: '200m' } } }, // a limit alone counts as the request
        ],
        initContainers: [{ name: 'init', resources: { requests: { cpu: '500m', memory: '1Mi' } } }],
        overhead: { cpu: '10m' },
      },
    });
    expect(computeRequests(pod)).toEqual({ milliCpu: 510, memory: 64 * 2 ** 20 });
  });

  test('scoring counts missing requests as 100m and 200Mi per container', () => {
    const info = computePodInfo(makePod('p'));
    expect(info.requests).toEqual({ milliCpu: 0, memory: 0 });
    expect(info.nonZeroRequests).toEqual({ milliCpu: DEFAULT_MILLI_CPU_REQUEST, memory: DEFAULT_MEMORY_REQUEST });
  });

  test('owner, host ports, priority, key', () => {
    const info = computePodInfo(
      makePod('web-1', {
        owner: 'web-abc',
        priority: 7,
        spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }] },
      }),
    );
    expect(info.key).toBe('default/web-1');
    expect(info.ownerKey).toBe('uid-web-abc');
    expect(info.priority).toBe(7);
    expect(info.hostPorts).toEqual([{ protocol: 'TCP', port: 8080, ip: '0.0.0.0' }]);
  });
});
