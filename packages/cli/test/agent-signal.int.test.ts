// `skiff agent` whose API server does not answer keeps retrying its registration; SIGINT/SIGTERM
// stop that retry and the process ends in order (issue 13 §1: AgentOptions.signal, wired by the CLI).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOTHING_LISTENS, until } from '@skiff/apiserver/testing';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));

test.each(['SIGTERM', 'SIGINT'] as const)('%s stops an agent that is still retrying its registration', async (signal) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-agent-signal-'));
  const child = spawn(SKIFF, ['agent', '--server', `http://${NOTHING_LISTENS.host}:${NOTHING_LISTENS.port}`, '--runtime', 'sim', '--port', '0', '--node-name', 'signal-test', '--root-dir', join(dir, 'root')], { env: { ...process.env, SKIFF_HOME: dir } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
  try {
    await until('the registration retries', () => err.includes('retrying in'), { timeoutMs: 20_000 });
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const end = await Promise.race([exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 10_000)))]);
    clearTimeout(timer);
    // Ended by its own shutdown (an exit code), not by the signal's default action.
    expect(end).toMatchObject({ signal: null });
    expect(err).toContain(`${signal}, shutting down`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}, 40_000);
