// Lifecycle hooks with httpGet and sleep handlers on real Docker (exec hooks are in
// security.test.ts): postStart and preStop send their GET (to another pod's server here, so the
// hook never races the container's own server), the container is not Running until its postStart
// has finished, and preStop runs before the stop signal, cut off by the grace period.
import type { KubeObject } from '@skiff/api';
import { containerStatus, podManifest, PODS, until } from '../support/cluster.ts';
import { podVerbs, useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-hooks-1', ip: '127.0.32.1' }];

const cluster = useCluster({ nodes: NODES });
const { create, pod, gone } = podVerbs(cluster, NS);
const exec = (name: string, script: string) => cluster.kubectl.run(['exec', name, '--', 'sh', '-c', script]);
const running = (name: string) => until(`${name} running`, async () => (containerStatus(await pod(name))?.state.running ? pod(name) : undefined), { timeoutMs: 30_000 });

// A server pod whose CGI script appends each request's query and User-Agent to /tmp/hits.
const CGI = ['#!/bin/sh', 'echo "$QUERY_STRING $HTTP_USER_AGENT" >> /tmp/hits', 'printf "Content-Type: text/plain\\r\\n\\r\\nok\\n"'];
let server = '';
const hits = async () => (await exec('hook-server', 'cat /tmp/hits 2>/dev/null')).stdout;

/** Watches one pod and returns when (Date.now()) it was first seen Running. */
function whenRunning(name: string): Promise<number> {
  return new Promise((resolve) => {
    const w = cluster.client.watch(PODS, { namespace: NS, fieldSelector: `metadata.name=${name}` }, (e) => {
      if ((e.object as KubeObject).status?.phase === 'Running') {
        resolve(Date.now());
        w.abort();
      }
    }, () => undefined);
  });
}

beforeAll(async () => {
  const script = [`mkdir -p /www/cgi-bin`, ...CGI.map((l) => `echo '${l}' >> /www/cgi-bin/hook`), 'chmod +x /www/cgi-bin/hook', 'exec httpd -f -p 8080 -h /www'].join('; ');
  await create(podManifest('hook-server', NS, { command: ['sh', '-c', script], ports: [{ containerPort: 8080 }], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }, { terminationGracePeriodSeconds: 0 }));
  const p = await until('hook-server ready', async () => {
    const p = await pod('hook-server');
    return containerStatus(p)?.ready ? p : undefined;
  }, { timeoutMs: 30_000 });
  server = p.status!.podIP;
}, 40_000);

test('httpGet hooks: postStart and preStop send their GET (path, port, host, User-Agent); preStop before the stop signal', async () => {
  // The TERM trap tells the server too, so the server's log has both, in the order they happened.
  const trap = `trap "wget -q -O /dev/null 'http://${server}:8080/cgi-bin/hook?term'; exit 0" TERM; while true; do sleep 0.1; done`;
  await create(podManifest('http-hooks', NS, {
    command: ['sh', '-c', trap],
    ports: [{ name: 'web', containerPort: 8080 }],
    lifecycle: {
      postStart: { httpGet: { host: server, port: 8080, path: '/cgi-bin/hook?poststart' } },
      preStop: { httpGet: { host: server, port: 'web', path: '/cgi-bin/hook?prestop' } },
    },
  }, { terminationGracePeriodSeconds: 10 }));
  await running('http-hooks');
  expect(await hits()).toBe('poststart kube-lifecycle/1.32\n');
  await cluster.client.delete(PODS, NS, 'http-hooks', {});
  await until('http-hooks gone', () => gone('http-hooks'), { timeoutMs: 20_000 });
  expect(await hits()).toBe('poststart kube-lifecycle/1.32\nprestop kube-lifecycle/1.32\nterm Wget\n');
}, 60_000);

test('sleep hooks: the container is Running only once its postStart sleep is over; a preStop sleep delays the stop signal', async () => {
  const trap = 'trap "echo TERM \\$(date +%s) >> /dev/termination-log; exit 0" TERM; while true; do sleep 0.1; done';
  const seen = whenRunning('sleep-hooks');
  await create(podManifest('sleep-hooks', NS, {
    command: ['sh', '-c', trap],
    lifecycle: { postStart: { sleep: { seconds: 3 } }, preStop: { sleep: { seconds: 3 } } },
  }, { terminationGracePeriodSeconds: 10 }));
  const runningAt = await seen;
  const started = Date.parse(containerStatus(await pod('sleep-hooks'))!.state.running!.startedAt);
  // startedAt has one-second resolution: at least 2 s of the 3 s sleep are visible.
  expect(runningAt - started).toBeGreaterThanOrEqual(2000);

  const terminated = recordTermination('sleep-hooks');
  const deletedAt = Date.now();
  await cluster.client.delete(PODS, NS, 'sleep-hooks', {});
  const message = await terminated;
  const termAt = Number(/^TERM (\d+)\n$/.exec(message)![1]) * 1000;
  // The signal came after the 3 s preStop sleep (date +%s truncates: at least 2 s visible), within the grace period.
  expect(termAt - Math.floor(deletedAt / 1000) * 1000).toBeGreaterThanOrEqual(2000);
  expect(termAt - deletedAt).toBeLessThan(10_000);
}, 60_000);

test('a preStop hook longer than the grace period is cut off: the stop signal still comes, within the grace period (+2 s)', async () => {
  const trap = 'trap "echo TERM >> /dev/termination-log; exit 0" TERM; while true; do sleep 0.1; done';
  await create(podManifest('long-prestop', NS, { command: ['sh', '-c', trap], lifecycle: { preStop: { sleep: { seconds: 60 } } } }, { terminationGracePeriodSeconds: 2 }));
  await running('long-prestop');
  const terminated = recordTermination('long-prestop');
  const deletedAt = Date.now();
  await cluster.client.delete(PODS, NS, 'long-prestop', {});
  expect(await terminated).toBe('TERM\n');
  await until('long-prestop gone', () => gone('long-prestop'), { timeoutMs: 20_000 });
  // The grace period (2 s) for the hook, then at least 2 s more for the signal, as the kubelet gives.
  expect(Date.now() - deletedAt).toBeLessThan(10_000);
}, 40_000);

/** The termination message of the pod's container, once a status shows it terminated. */
function recordTermination(name: string): Promise<string> {
  return new Promise((resolve) => {
    const w = cluster.client.watch(PODS, { namespace: NS, fieldSelector: `metadata.name=${name}` }, (e) => {
      const t = containerStatus(e.object as KubeObject)?.state.terminated as { message?: string } | undefined;
      if (t?.message !== undefined) {
        resolve(t.message);
        w.abort();
      }
    }, () => undefined);
  });
}
