// The kubelet's port-forward protocol (portforward.k8s.io) over one SPDY/3 connection. kubectl
// 1.32 reaches it either through a WebSocket whose binary messages carry the SPDY bytes
// (subprotocol `SPDY/3.1+portforward.k8s.io`) or, when that upgrade fails, through a plain HTTP
// upgrade to `SPDY/3.1` (`X-Stream-Protocol-Version: portforward.k8s.io`); both end here.
//
// For each local connection kubectl opens two streams with the headers `streamtype` (`error` or
// `data`), `port` and `requestid`. Once both of a request id are there, the agent connects to the
// port on the pod's address and copies bytes both ways on the data stream; a failure is written
// as text on the error stream. The error stream is closed (FIN) when the forwarding ends: kubectl
// waits for that before it forgets the connection.
import { connect, type Socket } from 'node:net';
import { RST_PROTOCOL_ERROR, RST_REFUSED_STREAM } from './spdy/frames.ts';
import { SpdyServerSession, type SpdyStream } from './spdy/session.ts';
import type { Duplex } from 'node:stream';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const PORT_FORWARD_WEBSOCKET_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

/** How long the second stream of a pair may take to arrive (the kubelet's streamCreationTimeout). */
const PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardTarget {
  /** The pod's address, where its ports listen. */
  host: string;
  /** Names the pod in error messages, as the kubelet does. */
  pod: string;
  /** Connects to `host:port`; injectable for tests. */
  connect?: (host: string, port: number) => Socket;
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Serves port-forward streams on `transport` until it closes. */
export function servePortForward(transport: Duplex, target: PortForwardTarget, log: (message: string) => void): SpdyServerSession {
  const session = new SpdyServerSession(transport, log);
  const pairs = new Map<string, Pair>();
  const sockets = new Set<Socket>();
  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    for (const s of sockets) s.destroy();
  });
  session.on('stream', (stream) => {
    const { streamtype: type, requestid: requestId = '', port: portText = '' } = stream.headers;
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
    if ((type !== 'error' && type !== 'data') || port < 1 || port > 65535) {
      log(`port-forward to ${target.pod}: refused a stream with streamtype=${JSON.stringify(type)} port=${JSON.stringify(portText)}`);
      stream.reset(RST_PROTOCOL_ERROR);
      return;
    }
    const key = `${requestId}/${port}`;
    let pair = pairs.get(key);
    if (!pair) {
      const timer = setTimeout(() => {
        pairs.delete(key);
        pair!.error?.reset(RST_REFUSED_STREAM);
        pair!.data?.reset(RST_REFUSED_STREAM);
      }, PAIR_TIMEOUT_MS);
      pair = { timer };
      pairs.set(key, pair);
    }
    if (pair[type]) {
      stream.reset(RST_PROTOCOL_ERROR);
      return;
    }
    pair[type] = stream;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(key);
      forward(session, pair.error, pair.data, port, target, sockets);
    }
  });
  return session;
}

function forward(session: SpdyServerSession, error: SpdyStream, data: SpdyStream, port: number, target: PortForwardTarget, sockets: Set<Socket>): void {
  const socket = (target.connect ?? ((h, p) => connect({ host: h, port: p })))(target.host, port);
  sockets.add(socket);
  let done = false;
  const finish = (message?: string) => {
    if (done) return;
    done = true;
    if (message) error.write(Buffer.from(message));
    error.end();
    data.end();
    socket.destroy();
    sockets.delete(socket);
  };
  socket.on('error', (err) => finish(`error forwarding port ${port} to pod ${target.pod}: ${err.message}`));
  socket.on('close', () => finish());
  // Pod to client: pause the pod's socket while the client's transport is full.
  socket.on('data', (chunk: Buffer) => {
    if (!data.write(chunk)) {
      socket.pause();
      session.once('drain', () => socket.resume());
    }
  });
  socket.on('end', () => data.end());
  // Client to pod: pause the whole connection while the pod's socket is full (SPDY without flow
  // control has no per-stream window to close).
  data.on('data', (chunk) => {
    if (!socket.write(chunk)) {
      session.pause();
      socket.once('drain', () => session.resume());
    }
  });
  data.on('end', () => socket.end());
  data.on('reset', () => finish());
  error.on('reset', () => finish());
}
