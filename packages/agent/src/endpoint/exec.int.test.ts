// The endpoint's exec with the simulated runtime, on a real socket, as the API server relays
// `kubectl exec` to it: the command's stdout and stderr reach the client, then the status with its
// exit code. The simulated runtime knows the exit code before its output has been read; the
// status closing the stream first used to lose the output (`kubectl exec` on a hollow node
// printed nothing).
import { WebSocket } from 'ws';
import { SimRuntime } from '../runtime/sim.ts';
import { LABEL_CONTAINER_NAME, LABEL_NODE_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE } from '../runtime/types.ts';
import { startEndpoint, type AgentEndpoint } from './server.ts';

let endpoint: AgentEndpoint;

beforeAll(async () => {
  const runtime = new SimRuntime({ images: ['skiff/busybox:1'] });
  const labels = { [LABEL_NODE_NAME]: 'ex', [LABEL_POD_NAMESPACE]: 'default', [LABEL_POD_NAME]: 'web', [LABEL_CONTAINER_NAME]: 'main' };
  const id = await runtime.create({ name: 'ex-main', image: 'skiff/busybox:1', env: [], labels, ports: [] });
  await runtime.start(id);
  endpoint = await startEndpoint({ runtime, nodeName: 'ex', host: '127.0.0.1', port: 0, log: () => undefined, podIP: () => undefined });
});
afterAll(() => endpoint?.close());

/** One exec over the v5 channel protocol: what came on each channel, in order of arrival. */
function exec(command: string[]): Promise<{ channel: number; text: string }[]> {
  const q = new URLSearchParams([...command.map((c): [string, string] => ['command', c]), ['stdout', '1'], ['stderr', '1']]);
  const ws = new WebSocket(`ws://127.0.0.1:${endpoint.port}/exec/default/web/main?${q}`, ['v5.channel.k8s.io']);
  const frames: { channel: number; text: string }[] = [];
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer) => frames.push({ channel: data[0], text: data.subarray(1).toString() }));
    ws.on('close', () => resolve(frames));
    ws.on('error', reject);
  });
}

test('stdout, stderr, then the status with the exit code', async () => {
  const ok = await exec(['echo', 'hello', 'world']);
  expect(ok).toEqual([{ channel: 1, text: 'hello world\n' }, { channel: 3, text: JSON.stringify({ metadata: {}, status: 'Success' }) }]);

  const err = await exec(['sh', '-c', 'echo oops >&2']);
  expect(err.map((f) => f.channel)).toEqual([2, 3]);
  expect(err[0].text).toBe('oops\n');

  const failed = await exec(['sh', '-c', 'exit 3']);
  expect(failed).toHaveLength(1);
  expect(JSON.parse(failed[0].text)).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
});

test('the output is not lost to the status, run after run', async () => {
  for (let i = 0; i < 20; i++) {
    const frames = await exec(['echo', `run-${i}`]);
    expect(frames.map((f) => f.channel)).toEqual([1, 3]);
    expect(frames[0].text).toBe(`run-${i}\n`);
  }
});
