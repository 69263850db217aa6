import { computePodStatus } from './status.ts';
import { pod, observed } from './fixtures.test-util.ts';

const now = Date.parse('2026-11-28T12:00:00Z');
const status = (p: ReturnType<typeof pod>, containers: ReturnType<typeof observed>[], opts: { ready?: [string, boolean][]; waiting?: [string, { reason: string; message?: string }][] } = {}) =>
  computePodStatus({ pod: p, containers, now, hostIP: '127.0.1.1', runtime: 'docker', ready: new Map(opts.ready ?? []), started: new Map(), waiting: new Map(opts.waiting ?? []) }) as any;

test('no container yet: Pending, ContainerCreating, not ready', () => {
  const s = status(pod(), []);
  expect(s.phase).toBe('Pending');
  expect(s.containerStatuses[0]).toMatchObject({ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } });
  expect(s.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
});

test('running and ready: Running, Ready=True, pod IP from the container', () => {
  const p = pod();
  const c = observed(p, 'app', 'running', { startedAt: '2026-11-28T11:59:00.123Z', ip: '172.17.0.5' });
  const s = status(p, [c], { ready: [[c.id, true]] });
  expect(s.phase).toBe('Running');
  expect(s.podIP).toBe('172.17.0.5');
  expect(s.containerStatuses[0]).toMatchObject({ ready: true, started: true, containerID: `docker://${c.id}`, state: { running: { startedAt: '2026-11-28T11:59:00Z' } } });
  expect(s.conditions.filter((c: any) => ['Ready', 'ContainersReady'].includes(c.type)).map((c: any) => c.status)).toEqual(['True', 'True']);
});

test('crash loop: waiting CrashLoopBackOff with the last termination and restart count', () => {
  const p = pod();
  const prev = observed(p, 'app', 'exited', { exitCode: 2, restartCount: 3, startedAt: '2026-11-28T11:59:50Z', finishedAt: '2026-11-28T11:59:55Z' });
  const s = status(p, [prev], { waiting: [['app', { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container=app pod=web_default(uid-1234-5678)' }]] });
  expect(s.phase).toBe('Running');
  expect(s.containerStatuses[0]).toMatchObject({
    restartCount: 3,
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { exitCode: 2, reason: 'Error', finishedAt: '2026-11-28T11:59:55Z' } },
  });
});

test('OOMKilled, Completed and Failed phases follow the restart policy', () => {
  const never = pod({ restartPolicy: 'Never' });
  const oom = observed(never, 'app', 'exited', { exitCode: 137, oomKilled: true });
  const s = status(never, [oom]);
  expect(s.phase).toBe('Failed');
  expect(s.containerStatuses[0].state.terminated.reason).toBe('OOMKilled');
  const done = observed(never, 'app', 'exited', { exitCode: 0 });
  expect(status(never, [done]).phase).toBe('Succeeded');
  expect(status(never, [done]).containerStatuses[0].state.terminated.reason).toBe('Completed');
});
