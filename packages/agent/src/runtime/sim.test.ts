import { SimRuntime } from './sim.ts';
import { LABEL_POD_UID, type ContainerConfig } from './types.ts';
import { until } from '@skiff/apiserver/testing';

const cfg = (name: string, env: { name: string; value: string }[] = []): ContainerConfig => ({
  name, image: 'skiff/busybox:1', env, labels: { pod: name }, ports: [],
});

test('containers run until stopped, and are found by label', async () => {
  const rt = new SimRuntime({ images: ['skiff/busybox:1'] });
  expect(await rt.ensureImage('skiff/busybox:1', 'IfNotPresent')).toEqual({ pulled: false });
  const id = await rt.create(cfg('a'));
  await rt.start(id);
  expect((await rt.list({ pod: 'a' })).map((c) => c.state)).toEqual(['running']);
  await rt.stop(id);
  expect((await rt.inspect(id))?.state).toBe('exited');
  await rt.remove(id);
  expect(await rt.list({ pod: 'a' })).toEqual([]);
});

test('scripted crashes exit with the given code, OOM included', async () => {
  const rt = new SimRuntime();
  const id = await rt.create(cfg('c', [{ name: 'SIM_EXIT_AFTER_MS', value: '10' }, { name: 'SIM_EXIT_CODE', value: '3' }]));
  await rt.start(id);
  await until('c exited', async () => (await rt.inspect(id))?.state === 'exited', 2000);
  expect(await rt.inspect(id)).toMatchObject({ state: 'exited', exitCode: 3, oomKilled: false });
  const oom = await rt.create(cfg('o', [{ name: 'SIM_EXIT_AFTER_MS', value: '5' }, { name: 'SIM_OOM', value: '1' }]));
  await rt.start(oom);
  await until('o exited', async () => (await rt.inspect(oom))?.state === 'exited', 2000);
  expect(await rt.inspect(oom)).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: true });
});

test('Never refuses a missing image; exec echoes and passes exit codes', async () => {
  const rt = new SimRuntime();
  await expect(rt.ensureImage('x:1', 'Never')).rejects.toMatchObject({ reason: 'ErrImageNeverPull' });
  const id = await rt.create(cfg('e'));
  await rt.start(id);
  const s = await rt.exec(id, { command: ['echo', 'hi'], stdin: false, tty: false });
  let out = '';
  for await (const c of s.stdout) out += c;
  expect(out).toBe('hi\n');
  expect(await (await rt.exec(id, { command: ['sh', '-c', 'exit 4'], stdin: false, tty: false })).exitCode()).toBe(4);
});

test('each pod has an address its containers share, unique across the nodes of a process; none on the host network', async () => {
  const [n1, n2] = [new SimRuntime(), new SimRuntime()];
  const c = (name: string, uid: string, networkMode?: string): ContainerConfig => ({ name, image: 'i', env: [], labels: { [LABEL_POD_UID]: uid }, ports: [], ...(networkMode ? { networkMode } : {}) });
  const app = await n1.create(c('app', 'p1'));
  const sidecar = await n1.create(c('sidecar', 'p1'));
  const other = await n2.create(c('app2', 'p2'));
  const host = await n1.create(c('host', 'p3', 'host'));
  const ip = (rt: SimRuntime, id: string) => rt.inspect(id).then((x) => x?.ip);
  expect(await ip(n1, app)).toMatch(/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+$/);
  expect(await ip(n1, sidecar)).toBe(await ip(n1, app));
  expect(await ip(n2, other)).not.toBe(await ip(n1, app));
  expect(await ip(n1, host)).toBeUndefined();
  // Once every container of a pod is gone, a new container of it gets a new address.
  const before = await ip(n1, app);
  await n1.remove(app);
  await n1.remove(sidecar);
  expect(await ip(n1, await n1.create(c('app', 'p1')))).not.toBe(before);
});
