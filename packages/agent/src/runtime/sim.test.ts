import { SimRuntime } from './sim.ts';
import type { ContainerConfig } from './types.ts';
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
