// `skiff up` on a data directory used before: the Nodes of the last run are still stored with
// Ready=True, and `up` must not take them for the agents it has just started. Hollow nodes
// (--runtime sim), a fixed API port and node addresses 127.0.1.x: run under the docker lock like
// the other CLI tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODES, type Node } from '@skiff/api';
import { RestClient } from '@skiff/client';
import { freePorts } from '@skiff/apiserver/testing';
import { readKubeconfig, clientOptions } from '../src/kubeconfig.ts';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-up-'));
});
afterAll(async () => {
  await skiff('down', '--data-dir', dir, '--purge');
  rmSync(dir, { recursive: true, force: true });
});

function skiff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(SKIFF, args, { env: { ...process.env, SKIFF_HOME: dir } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function readyHeartbeats(): Promise<Record<string, string | undefined>> {
  const client = new RestClient(clientOptions(readKubeconfig(join(dir, 'kubeconfig'))!));
  try {
    const nodes = (await client.list(NODES)).items as Node[];
    return Object.fromEntries(nodes.map((n) => [n.metadata.name!, n.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastHeartbeatTime]));
  } finally {
    client.close();
  }
}

test('a second skiff up on the same data directory waits for its own agents to report Ready', async () => {
  const [port] = await freePorts(1);
  const up = ['up', '--nodes', '2', '--runtime', 'sim', '--port', String(port), '--data-dir', dir];

  const first = await skiff(...up);
  expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('skiff is up') });
  const firstBeats = await readyHeartbeats();
  expect(Object.keys(firstBeats).sort()).toEqual(['node-1', 'node-2']);
  expect((await skiff('down', '--data-dir', dir)).stdout).toContain('skiff is down');

  // The stored Nodes still say Ready=True, with the first run's heartbeats.
  const started = Date.now();
  const second = await skiff(...up);
  expect(second).toMatchObject({ code: 0, stdout: expect.stringContaining('skiff is up') });
  // When `up` says so, each node's Ready=True comes from an agent of this run (heartbeats are
  // written to the second).
  const beats = await readyHeartbeats();
  for (const name of ['node-1', 'node-2']) {
    expect({ name, heartbeat: beats[name] }).toEqual({ name, heartbeat: expect.any(String) });
    expect(Date.parse(beats[name]!)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
  }
}, 180_000);
