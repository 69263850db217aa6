// Node registration against an API server that is not there yet: the agent waits for it, as
// the kubelet does, instead of failing (found by the chaos suite: an agent restarted while the
// API server was down exited).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODES } from '@skiff/api';
import { startApiServer } from '@skiff/apiserver';
import { freePorts, NOTHING_LISTENS } from '@skiff/apiserver/testing';
import { RestClient } from '@skiff/client';
import { SimRuntime } from '../runtime/sim.ts';
import { NodeHeartbeat } from './heartbeat.ts';

function heartbeatOf(client: RestClient, name: string, log: (m: string) => void): NodeHeartbeat {
  return new NodeHeartbeat({
    client,
    runtime: new SimRuntime(),
    node: { name, ip: '127.0.0.1', port: 0, reserved: { cpuMilli: 0, memoryBytes: 0 } },
    leaseDurationSeconds: 40,
    renewIntervalMs: 10_000,
    statusReportIntervalMs: 60_000,
    log,
  });
}

test('registration waits for an API server that starts later', async () => {
  const [port] = await freePorts(1);
  const client = new RestClient({ server: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
  const logs: string[] = [];
  let started!: () => void;
  const firstFailure = new Promise<void>((r) => (started = r));
  const heartbeat = heartbeatOf(client, 'late-node', (m) => {
    logs.push(m);
    started();
  });
  const registering = heartbeat.start();
  await firstFailure; // refused at least once: nothing listens yet
  expect(logs[0]).toMatch(/registering node late-node failed, retrying/);
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-heartbeat-'));
  const server = await startApiServer({ dataDir, port });
  try {
    await registering;
    expect((await client.get(NODES, undefined, 'late-node')).metadata.name).toBe('late-node');
  } finally {
    heartbeat.stop();
    client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('stop() ends a registration that is still waiting', async () => {
  const client = new RestClient({ server: `http://${NOTHING_LISTENS.host}:${NOTHING_LISTENS.port}`, timeoutMs: 2000 });
  const heartbeat: NodeHeartbeat = heartbeatOf(client, 'never', () => heartbeat.stop());
  await expect(heartbeat.start()).rejects.toThrow(/stopped before node never was registered/);
  client.close();
});
