// A container's life under the node agent, on the real Docker engine: crash loops with back-off,
// liveness restarts (and logs --previous), readiness flipping the Ready condition, graceful
// deletion, the memory limit (OOMKilled) and image pull policies.
import { containerStatus, docker, dockerIds, isReady, podEvents, podManifest, recordPods, until } from '../support/cluster.ts';
import { podVerbs, useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-life-1', ip: '127.0.3.1' }];

const cluster = useCluster({ nodes: NODES });

const { create, pod, gone } = podVerbs(cluster, NS);

describe('restarts', () => {
  test('a crashing container goes through CrashLoopBackOff with a growing restartCount', async () => {
    await create(podManifest('crasher', NS, { command: ['sh', '-c', 'echo crashing; exit 2'] }));
    const seen: number[] = [];
    let sawBackOffInKubectl = false;
    await until('restartCount >= 3 and CrashLoopBackOff in kubectl get pod', async () => {
      const c = containerStatus(await pod('crasher'));
      if (c && c.restartCount !== seen[seen.length - 1]) seen.push(c.restartCount);
      const row = await cluster.kubectl.ok(['get', 'pod', 'crasher', '--no-headers']);
      if (/crasher\s+0\/1\s+CrashLoopBackOff\s+[1-9]/.test(row)) sawBackOffInKubectl = true;
      return sawBackOffInKubectl && (c?.restartCount ?? 0) >= 3;
    }, { timeoutMs: 30_000, intervalMs: 150 });
    // restartCount only ever grows
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen[seen.length - 1]).toBeGreaterThanOrEqual(3);

    const c = await until('a CrashLoopBackOff waiting state with the last termination', async () => {
      const s = containerStatus(await pod('crasher'));
      return s?.state.waiting?.reason === 'CrashLoopBackOff' && s.lastState.terminated && s;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    expect(c.state.waiting!.message).toMatch(/^back-off \S+ restarting failed container=main pod=crasher_default/);
    expect(c.lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(c.ready).toBe(false);
    const events = await podEvents(cluster.client, NS, 'crasher');
    expect(events.some((e) => e.reason === 'BackOff' && e.type === 'Warning')).toBe(true);
    expect(events.filter((e) => e.reason === 'Started').length).toBeGreaterThanOrEqual(1);
    // Old attempts are garbage-collected: the current one and the previous one remain.
    expect((await dockerIds(['--filter', `label=io.kubernetes.pod.name=crasher`, '--filter', `label=dev.skiff.node=${NODES[0].name}`])).length).toBeLessThanOrEqual(2);
  }, 45_000);

  test('a container that cannot start (missing executable) is retried with back-off', async () => {
    await create(podManifest('nocmd', NS, { command: ['/nonexistent'] }));
    const c = await until('restartCount >= 2', async () => {
      const c = containerStatus(await pod('nocmd'));
      return c && c.restartCount >= 2 && c.lastState.terminated ? c : undefined;
    }, 40_000); // the second restart comes after a 10 s back-off, plus two container creations on a busy machine
    expect(c.lastState.terminated).toMatchObject({ reason: 'StartError' });
    expect((c.lastState.terminated as { message?: string }).message).toContain('/nonexistent');
    expect(c.ready).toBe(false);
  }, 50_000);

  test('a failing liveness probe restarts the container; logs --previous shows the earlier run', async () => {
    // The first run is alive for ~2 s, then the probed file disappears; the run after it (an
    // emptyDir outlives the container) stays healthy. A container failing every run would be
    // killed again ~4 s after each restart, so what the checks below saw would be a race.
    const script = 'echo boot $(cat /proc/sys/kernel/random/uuid); touch /tmp/alive; if [ ! -e /state/failed ]; then touch /state/failed; sleep 2; rm /tmp/alive; fi; while true; do sleep 0.2; done';
    await create(
      podManifest('unhealthy', NS, {
        command: ['sh', '-c', script],
        livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
        volumeMounts: [{ name: 'state', mountPath: '/state' }],
      }, { terminationGracePeriodSeconds: 1, volumes: [{ name: 'state', emptyDir: {} }] }),
    );
    const p = await until('a restart by the liveness probe, and the new container running', async () => {
      const p = await pod('unhealthy');
      const c = containerStatus(p);
      return c && c.restartCount >= 1 && c.state.running && p;
    }, 30_000);
    const c = containerStatus(p)!;
    expect(c.lastState.terminated).toBeDefined();
    expect(c.lastState.terminated!.exitCode).toBe(137); // SIGKILL after the 1 s grace period (sh ignores SIGTERM as PID 1)
    const events = await podEvents(cluster.client, NS, 'unhealthy');
    expect(events.some((e) => e.reason === 'Unhealthy' && e.type === 'Warning' && /^Liveness probe failed/.test(e.message))).toBe(true);
    expect(events.some((e) => e.reason === 'Killing' && /failed liveness probe, will be restarted/.test(e.message))).toBe(true);

    const previous = await cluster.kubectl.ok(['logs', 'unhealthy', '--previous']);
    const current = await until('the restarted container\'s boot line', async () => {
      const out = await cluster.kubectl.ok(['logs', 'unhealthy']);
      return /^boot \S+\n$/.test(out) && out;
    });
    expect(previous).toMatch(/^boot \S+\n$/);
    expect(current).not.toBe(previous);
    const table = await cluster.kubectl.ok(['get', 'pod', 'unhealthy', '--no-headers']);
    expect(table).toMatch(/unhealthy\s+\d\/1\s+Running\s+1\s/);
    expect(containerStatus(await pod('unhealthy'))!.restartCount).toBe(1);
  }, 45_000);

  test('kubectl logs --previous without a previous run is an error', async () => {
    const r = await cluster.kubectl.run(['logs', 'crasher', '--previous', '--tail=1']);
    // crasher has restarted: --previous works there...
    expect(r.stdout).toBe('crashing\n');
    await create(podManifest('fresh', NS, { command: ['sleep', '1000'] }, { terminationGracePeriodSeconds: 0 }));
    await until('fresh running', async () => containerStatus(await pod('fresh'))?.state.running !== undefined);
    const none = await cluster.kubectl.run(['logs', 'fresh', '--previous']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('previous terminated container "main" in pod "fresh" not found');
  }, 30_000);
});

describe('readiness', () => {
  test('a readiness probe flips the Ready condition both ways without restarting the container', async () => {
    const script = 'while true; do touch /tmp/ready; sleep 2; rm -f /tmp/ready; sleep 2; done';
    await create(podManifest('flipper', NS, { command: ['sh', '-c', script], readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } }, { terminationGracePeriodSeconds: 0 }));
    const sequence: boolean[] = [];
    await until('Ready True, then False, then True again', async () => {
      const p = await pod('flipper');
      if (!containerStatus(p)?.state.running) return false;
      const r = isReady(p);
      if (sequence[sequence.length - 1] !== r) sequence.push(r);
      const firstTrue = sequence.indexOf(true);
      return firstTrue >= 0 && sequence.slice(firstTrue).length >= 3;
    }, { timeoutMs: 25_000, intervalMs: 100 });
    const p = await pod('flipper');
    expect(containerStatus(p)!.restartCount).toBe(0);
    const conditions = p.status!.conditions as { type: string; status: string }[];
    expect(conditions.find((c) => c.type === 'ContainersReady')?.status).toBe(conditions.find((c) => c.type === 'Ready')?.status);
  }, 40_000);

  test('a startup probe holds liveness and readiness back until it succeeds', async () => {
    // Starts answering after ~3 s; the liveness probe (on the same file) would kill it within ~1 s
    // if it ran before the startup probe succeeded. Generous timeouts: a slow docker exec on a
    // loaded machine must not count as a failure here.
    const script = 'sleep 3; touch /tmp/up; while true; do sleep 0.2; done';
    const probe = { exec: { command: ['cat', '/tmp/up'] }, periodSeconds: 1, timeoutSeconds: 10 };
    await create(podManifest('slowstart', NS, { command: ['sh', '-c', script], startupProbe: { ...probe, failureThreshold: 20 }, livenessProbe: { ...probe, failureThreshold: 2 }, readinessProbe: probe }, { terminationGracePeriodSeconds: 0 }));
    const early = await until('slowstart running', async () => {
      const c = containerStatus(await pod('slowstart'));
      return c?.state.running ? c : undefined;
    });
    expect(early).toMatchObject({ started: false, ready: false });
    const p = await until('started and Ready', async () => {
      const p = await pod('slowstart');
      return containerStatus(p)?.started && isReady(p) ? p : undefined;
    }, 15_000);
    expect(containerStatus(p)!.restartCount).toBe(0);
  }, 30_000);
});

describe('deletion', () => {
  test('a container that exits ~2 s after SIGTERM is waited for; the pod disappears only once the agent confirms', async () => {
    const script = 'trap "echo term; sleep 2; exit 0" TERM; echo up; while true; do sleep 0.1; done';
    await create(podManifest('graceful', NS, { command: ['sh', '-c', script] }, { terminationGracePeriodSeconds: 20 }));
    await until('graceful running', async () => containerStatus(await pod('graceful'))?.state.running !== undefined);
    await until('the trap installed', async () => (await cluster.kubectl.ok(['logs', 'graceful'])).includes('up'));
    const [id] = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=graceful', '--filter', `label=dev.skiff.node=${NODES[0].name}`]);

    const t0 = Date.now();
    await cluster.kubectl.ok(['delete', 'pod', 'graceful', '--wait=false']);
    await until('SIGTERM delivered', async () => (await cluster.kubectl.ok(['logs', 'graceful'])).includes('term'));
    // Still terminating: the object is there with its deletionTimestamp, the container still runs.
    const terminating = await pod('graceful');
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect((await docker(['inspect', '-f', '{{.State.Running}}', id])).trim()).toBe('true');
    expect(await cluster.kubectl.ok(['get', 'pod', 'graceful', '--no-headers'])).toMatch(/Terminating/);

    await until('the pod object gone', () => gone('graceful'), { timeoutMs: 20_000, intervalMs: 50 });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(10_000); // far from the 20 s grace period: the container exited by itself
    expect(await dockerIds(['--filter', `id=${id}`])).toEqual([]); // and the agent removed it
  }, 40_000);

  test('with --grace-period=1 a container ignoring SIGTERM is killed after ~1 s', async () => {
    await create(podManifest('stubborn', NS, { command: ['sh', '-c', 'trap "" TERM; echo up; while true; do sleep 0.1; done'] }, { terminationGracePeriodSeconds: 30 }));
    await until('stubborn running', async () => containerStatus(await pod('stubborn'))?.state.running !== undefined);
    await until('the trap installed', async () => (await cluster.kubectl.ok(['logs', 'stubborn'])).includes('up'));
    const t0 = Date.now();
    await cluster.kubectl.ok(['delete', 'pod', 'stubborn', '--grace-period=1', '--wait=false']);
    await until('the pod object gone', () => gone('stubborn'), { timeoutMs: 20_000, intervalMs: 50 });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(10_000); // not the spec's 30 s
    expect(await dockerIds(['--filter', 'label=io.kubernetes.pod.name=stubborn', '--filter', `label=dev.skiff.node=${NODES[0].name}`])).toEqual([]);
  }, 40_000);
});

describe('resource limits', () => {
  test('a container exceeding its memory limit is OOMKilled', async () => {
    await create(podManifest('hog', NS, { command: ['tail', '/dev/zero'], resources: { limits: { memory: '16Mi' } } }, { restartPolicy: 'Never' }));
    // Docker may record the exit (137) a moment before it learns of the OOM kill: the status may
    // say Error first, and is rewritten once Docker says OOMKilled (the agent looks again).
    const p = await until('the hog terminated, OOMKilled', async () => {
      const p = await pod('hog');
      return containerStatus(p)?.state.terminated?.reason === 'OOMKilled' && p;
    }, 30_000);
    expect(containerStatus(p)!.state.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(p.status?.phase).toBe('Failed');
    const [id] = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=hog', '--filter', `label=dev.skiff.node=${NODES[0].name}`]);
    expect((await docker(['inspect', '-f', '{{.HostConfig.Memory}}', id])).trim()).toBe(String(16 * 1024 * 1024));
    expect(await cluster.kubectl.ok(['get', 'pod', 'hog', '--no-headers'])).toMatch(/hog\s+0\/1\s+OOMKilled\s+0/);
  }, 40_000);
});

describe('image pull policy', () => {
  test('Never with a missing image waits with ErrImageNeverPull', async () => {
    await create(podManifest('never', NS, { image: 'skiff/not-here:1', imagePullPolicy: 'Never', command: ['true'] }));
    const c = await until('ErrImageNeverPull', async () => {
      const c = containerStatus(await pod('never'));
      return c?.state.waiting?.reason === 'ErrImageNeverPull' && c;
    }, 15_000);
    expect(c.state.waiting!.message).toBe('Container image "skiff/not-here:1" is not present with pull policy of Never');
    expect(await cluster.kubectl.ok(['get', 'pod', 'never', '--no-headers'])).toMatch(/never\s+0\/1\s+ErrImageNeverPull/);
    const events = await podEvents(cluster.client, NS, 'never');
    expect(events.some((e) => e.reason === 'ErrImageNeverPull' && e.type === 'Warning')).toBe(true);
  }, 30_000);

  test('IfNotPresent with an image no registry serves fails fast: ErrImagePull, then ImagePullBackOff', async () => {
    // A registry address on loopback where nothing listens: the pull is refused at once.
    const image = '127.0.0.1:1/skiff/missing:1';
    const watch = recordPods(cluster.client, NS, 'metadata.name=unpullable');
    const reasons = () => watch.versions.map((p) => containerStatus(p)?.state.waiting?.reason).filter((r) => r !== undefined);
    try {
      const t0 = Date.now();
      await create(podManifest('unpullable', NS, { image, imagePullPolicy: 'IfNotPresent', command: ['true'] }));
      await until('ErrImagePull, then ImagePullBackOff', async () => reasons().includes('ImagePullBackOff'), { timeoutMs: 15_000, intervalMs: 50 });
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      watch.stop();
    }
    const seen = reasons();
    expect(seen.indexOf('ErrImagePull')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('ErrImagePull')).toBeLessThan(seen.indexOf('ImagePullBackOff'));
    const c = containerStatus(await pod('unpullable'))!;
    expect(c.state.waiting!.message).toContain(`failed to pull image "${image}"`);
    expect(await cluster.kubectl.ok(['get', 'pod', 'unpullable', '--no-headers'])).toMatch(/unpullable\s+0\/1\s+(ErrImagePull|ImagePullBackOff)/);
    const events = await podEvents(cluster.client, NS, 'unpullable');
    expect(events.some((e) => e.reason === 'Pulling' && e.message === `Pulling image "${image}"`)).toBe(true);
    expect(events.some((e) => e.reason === 'Failed' && e.type === 'Warning' && e.message.includes(`failed to pull image "${image}"`))).toBe(true);
  }, 30_000);
});
