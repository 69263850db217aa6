// A watcher that stops reading is disconnected once its unsent bytes pass the limit (and counted in
// apiserver_terminated_watchers_total), and the other watchers keep receiving every event meanwhile.
import { connect } from 'node:net';
import { client, pod, readWatch } from './support/server.ts';
import { startTestServer, until } from '../src/testing/index.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ watchMaxBufferedBytes: 256 * 1024 });
});
afterAll(() => server.close());

test('a stalled watcher is closed; a reading one sees everything', async () => {
  const api = client(server.url);
  const from = server.storage.currentRevision();
  const { port } = new URL(server.url);
  const stalled = connect(Number(port), '127.0.0.1');
  let stalledClosed = false;
  stalled.on('close', () => (stalledClosed = true));
  stalled.on('error', () => {});
  stalled.write(`GET /api/v1/namespaces/default/pods?watch=true&resourceVersion=${from} HTTP/1.1\r\nHost: x\r\n\r\n`);
  stalled.pause();
  const N = 200;
  const reading = readWatch(`${server.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${from}`, (ev) => ev.length >= N, { timeoutMs: 60_000 });
  await reading.opened;
  const big = 'x'.repeat(40 * 1024);
  for (let i = 0; i < N; i++) {
    const r = await api('POST', '/api/v1/namespaces/default/pods', pod(`big-${i}`, { metadata: { annotations: { big } } }));
    expect(r.status).toBe(201);
  }
  const { events } = await reading;
  expect(events).toHaveLength(N);
  // The server's side is gone (the client would see the close only after reading what is queued).
  await until('no open pods watch', async () => /apiserver_watch_open\{resource="pods"\} 0\b/.test((await api('GET', '/metrics')).text), 5000);
  // Counted as Kubernetes counts it: the stalled watcher only, not the one that kept reading.
  expect((await api('GET', '/metrics')).text).toMatch(/^apiserver_terminated_watchers_total\{resource="pods"\} 1$/m);
  stalled.resume();
  await until('the stalled connection closed', () => stalledClosed, 5000);
  stalled.destroy();
}, 90_000);
