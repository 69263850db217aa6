// The Kubernetes remote-command protocol over one WebSocket (v4/v5.channel.k8s.io): every binary
// message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 status (JSON), 4 resize,
// and in v5, 255 closes a channel ([255, 0] closes stdin).
import { finished } from 'node:stream/promises';
import type { WebSocket } from 'ws';
import type { ExecSession } from '../runtime/types.ts';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export function exitStatus(code: number, command: string[]): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function failureStatus(message: string): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}

/** Bridges a runtime exec session and a WebSocket until the command ends. */
export function bridgeExec(ws: WebSocket, session: ExecSession, command: string[], early: { data: Buffer; isBinary: boolean }[] = []): Promise<void> {
  return bridge(ws, session, early, (code) => exitStatus(code, command));
}

/**
 * Bridges an attach to a container's own streams until the container ends (then Success, as the
 * kubelet reports an attach that ran its course); the client leaving only detaches.
 */
export function bridgeAttach(ws: WebSocket, session: ExecSession, early: { data: Buffer; isBinary: boolean }[] = []): Promise<void> {
  return bridge(ws, session, early, () => ({ metadata: {}, status: 'Success' }));
}

async function bridge(ws: WebSocket, session: ExecSession, early: { data: Buffer; isBinary: boolean }[], statusOf: (code: number) => Record<string, unknown>): Promise<void> {
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    ws.send(Buffer.concat([Buffer.from([channel]), body]));
  };
  const onMessage = (raw: Buffer, isBinary: boolean) => {
    const msg = isBinary ? raw : Buffer.from(raw);
    if (msg.length === 0) return;
    const channel = msg[0];
    const data = msg.subarray(1);
    if (channel === 0 && session.stdin) session.stdin.write(data);
    else if (channel === 255 && data[0] === 0) session.stdin?.end();
    else if (channel === 4 && session.resize) {
      try {
        const { Width, Height } = JSON.parse(data.toString()) as { Width: number; Height: number };
        void session.resize(Width, Height).catch(() => undefined);
      } catch {
        // a malformed resize message is ignored, as the kubelet does
      }
    }
  };
  ws.on('message', onMessage);
  // Messages that arrived while the exec was being created (kubectl sends stdin at once).
  for (const m of early) onMessage(m.data, m.isBinary);
  // The client leaving ends the command: closing stdin is not enough (a command without stdin,
  // or one that ignores it like `tail -f`, would run on forever).
  let exited = false;
  const clientGone = () => {
    session.stdin?.end();
    if (!exited) void session.kill().catch(() => undefined);
  };
  ws.on('close', clientGone);
  if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) clientGone();
  // A runtime stream that fails ends the session through exitCode(); it must not crash the agent.
  session.stdout.on('error', () => undefined);
  session.stderr.on('error', () => undefined);
  session.stdout.on('data', (d: Buffer) => send(1, d));
  session.stderr.on('data', (d: Buffer) => send(2, d));
  // Every byte of output goes out before the status, as the kubelet copies the streams before it
  // reports: the status closes the WebSocket, and output forwarded after it is lost. A runtime
  // may know the exit code before its streams have been read (the simulated one writes and ends
  // them at once, and 'data' events come a tick later than a resolved exitCode()).
  // Only the reading side counts: with a TTY, Docker's stdout is the whole connection, whose
  // writing side (the command's stdin) the client may keep open after the command has ended.
  const drained = Promise.all([session.stdout, session.stderr].map((s) => finished(s, { writable: false }).catch(() => undefined)));
  const code = await session.exitCode();
  exited = true;
  await drained;
  send(3, JSON.stringify(statusOf(code)));
  ws.close(1000);
}
