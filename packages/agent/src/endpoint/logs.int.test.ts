// Which run `logs --previous` reads, on the agent's endpoint over HTTP with the simulated runtime.
// The agent keeps two attempts of a container, and removes the older one when it starts a third:
// the previous run must never be that one, or a request that comes as a crash-looping container
// restarts finds nothing (or a container Docker is removing).
import { request } from 'node:http';
import type { KubeObject } from '@skiff/api';
import { SimRuntime } from '../runtime/sim.ts';
import { LABEL_CONTAINER_NAME, LABEL_NODE_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_RESTART_COUNT, type ContainerInfo } from '../runtime/types.ts';
import { startEndpoint, type AgentEndpoint } from './server.ts';

const NODE = 'lg';
const IMAGES = ['skiff/attempt:0', 'skiff/attempt:1', 'skiff/attempt:2'];
const pods = new Map<string, KubeObject>();
let runtime: SimRuntime;
let endpoint: AgentEndpoint;

beforeEach(async () => {
  runtime = new SimRuntime({ images: IMAGES });
  pods.clear();
  endpoint = await startEndpoint({ runtime, nodeName: NODE, host: '127.0.0.1', port: 0, log: () => undefined, podObject: (ns, name) => pods.get(`${ns}/${name}`) });
});
afterEach(async () => {
  await endpoint.close();
});

function podOf(name: string, restartPolicy: string): KubeObject {
  const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { restartPolicy, containers: [{ name: 'main', image: IMAGES[0] }] } };
  pods.set(`default/${name}`, p);
  return p;
}

/** Attempt `n` of the pod's container `main`, whose log says `started skiff/attempt:n`: running, or exited with `exitCode`. */
async function attempt(pod: string, n: number, exitCode?: number): Promise<string> {
  const labels = { [LABEL_NODE_NAME]: NODE, [LABEL_POD_NAMESPACE]: 'default', [LABEL_POD_NAME]: pod, [LABEL_CONTAINER_NAME]: 'main', [LABEL_RESTART_COUNT]: String(n) };
  const id = await runtime.create({ name: `${pod}-main-${n}`, image: IMAGES[n], env: [], labels, ports: [] });
  await runtime.start(id);
  if (exitCode !== undefined) runtime.crash(id, exitCode);
  return id;
}

function logs(pod: string, query: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: endpoint.port, path: `/containerLogs/default/${pod}/main?${query}` }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const previousRun = async (pod: string) => {
  const r = await logs(pod, 'previous=true');
  return r.code === 200 ? r.body.replace(/^.*started /, '').trim() : `${r.code} ${JSON.parse(r.body).message}`;
};

test('through a crash loop, the previous run is always there', async () => {
  podOf('crasher', 'Always');
  const a0 = await attempt('crasher', 0);
  expect(await previousRun('crasher')).toBe('400 previous terminated container "main" in pod "crasher" not found');
  runtime.crash(a0, 2);
  // Exited, to run again: this run is the last one (the status's lastState.terminated says so too).
  expect(await previousRun('crasher')).toBe('skiff/attempt:0');
  await attempt('crasher', 1, 2);
  expect(await previousRun('crasher')).toBe('skiff/attempt:1');
  // The agent's restart: attempt 0 goes first, then attempt 2 comes. Attempt 1 stays the previous run throughout.
  await runtime.remove(a0);
  expect(await previousRun('crasher')).toBe('skiff/attempt:1');
  await attempt('crasher', 2);
  expect(await previousRun('crasher')).toBe('skiff/attempt:1');
});

test('a container done for good: its previous run is the one before its last', async () => {
  podOf('once', 'OnFailure');
  await attempt('once', 0, 1);
  await attempt('once', 1, 0);
  expect(await previousRun('once')).toBe('skiff/attempt:0');
  podOf('never', 'Never');
  await attempt('never', 0, 1);
  expect(await previousRun('never')).toBe('400 previous terminated container "main" in pod "never" not found');
});

test('a pod the agent does not know: the attempt before the newest', async () => {
  await attempt('stray', 0, 2);
  await attempt('stray', 1, 2);
  expect(await previousRun('stray')).toBe('skiff/attempt:0');
});

test('a run removed between finding it and reading its logs is a 404 that says so', async () => {
  podOf('racer', 'Always');
  await attempt('racer', 0, 2);
  // The removal lands between the endpoint's listing and its read, as the agent's may.
  const list = runtime.list.bind(runtime);
  runtime.list = async (labels): Promise<ContainerInfo[]> => {
    const found = await list(labels);
    for (const c of found) await runtime.remove(c.id);
    return found;
  };
  const r = await logs('racer', 'previous=true');
  expect(r.code).toBe(404);
  expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'container "main" in pod "racer" was removed before its logs could be read' });
});
