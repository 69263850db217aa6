import { computeEmptyDirEviction, isActive, limitedEmptyDirs, recordedEviction } from './plan.ts';
import { pod } from '../pod/fixtures.test-util.ts';

const withVolumes = (volumes: unknown[]) => pod({ volumes });

test('only disk emptyDirs with a positive sizeLimit are measured, with the limit as Kubernetes prints it', () => {
  const p = withVolumes([
    { name: 'plain', emptyDir: {} },
    { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    { name: 'zero', emptyDir: { sizeLimit: '0' } },
    { name: 'data', emptyDir: { sizeLimit: '1024Ki' } },
    { name: 'cfg', configMap: { name: 'c' } },
  ]);
  expect(limitedEmptyDirs(p)).toEqual([{ volume: 'data', limitBytes: 1048576, limit: '1Mi' }]);
});

test('usage strictly above the limit evicts, with the kubelet message of the first such volume', () => {
  const p = withVolumes([{ name: 'a', emptyDir: { sizeLimit: '1Mi' } }, { name: 'b', emptyDir: { sizeLimit: '500k' } }]);
  expect(computeEmptyDirEviction(p, new Map([['a', 1048576], ['b', 500_000]]))).toBeUndefined();
  expect(computeEmptyDirEviction(p, new Map([['b', 500_001]]))).toEqual({ message: 'Usage of EmptyDir volume "b" exceeds the limit "500k". ' });
  expect(computeEmptyDirEviction(p, new Map([['a', 2 << 20], ['b', 1 << 20]]))).toEqual({ message: 'Usage of EmptyDir volume "a" exceeds the limit "1Mi". ' });
  expect(computeEmptyDirEviction(p, new Map())).toBeUndefined(); // not measured: no verdict
});

test('an eviction written in the status is found again; terminal and deleting pods are not candidates', () => {
  const evicted = { ...pod(), status: { phase: 'Failed', reason: 'Evicted', message: 'm' } };
  expect(recordedEviction(evicted)).toEqual({ message: 'm' });
  expect(recordedEviction({ ...pod(), status: { phase: 'Failed', reason: 'DeadlineExceeded' } })).toBeUndefined();
  expect(isActive(pod())).toBe(true);
  expect(isActive(evicted)).toBe(false);
  expect(isActive({ ...pod(), status: { phase: 'Succeeded' } })).toBe(false);
  expect(isActive(pod({}, { deletionTimestamp: '2026-12-05T00:00:00Z' }))).toBe(false);
});
