// Worker-thread side of ./components-thread.ts: runs one component (scheduler or controller
// manager) against the API server's URL, reports ready, and stops cleanly when asked.
import { createPrivateKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { createControllerManager } from '@skiff/controllers';
import { createScheduler } from '@skiff/scheduler';
import type { ComponentSpec, WorkerMessage } from './components-thread.ts';
import { COMPONENT_NICE, lowerThreadPriority } from './thread-priority.ts';

function validSpec(d: unknown): d is ComponentSpec {
  if (!d || typeof d !== 'object') return false;
  const s = d as Partial<ComponentSpec>;
  if (s.kind !== 'scheduler' && s.kind !== 'controller-manager') return false;
  if (typeof s.server !== 'string' || !/^https?:\/\//.test(s.server)) return false;
  for (const pem of [s.ca, s.cert, s.key, s.signingCert, s.signingKey]) if (pem !== undefined && (typeof pem !== 'string' || !pem.includes('-----BEGIN '))) return false;
  if (s.clusterCIDR !== undefined && (typeof s.clusterCIDR !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(s.clusterCIDR))) return false;
  return s.schedulerPort === undefined || (Number.isInteger(s.schedulerPort) && s.schedulerPort >= 0 && s.schedulerPort < 65536);
}

async function main(): Promise<void> {
  const port = parentPort!;
  const send = (m: WorkerMessage) => port.postMessage(m);
  if (!validSpec(workerData)) {
    send({ type: 'failed', message: 'invalid component spec' });
    return;
  }
  const spec = workerData;
  // The API server's thread comes first when the two cores are contended: a component catches up
  // from its watch when the burst is over, a client waiting on the API server does not (ADR 0022).
  const problem = lowerThreadPriority(COMPONENT_NICE);
  if (problem) process.stderr.write(`skiff: ${spec.kind}: ${problem}\n`);
  let stop: () => Promise<void>;
  try {
    if (spec.kind === 'scheduler') {
      const scheduler = createScheduler({ server: spec.server, ca: spec.ca, cert: spec.cert, key: spec.key, endpoint: { port: spec.schedulerPort ?? 10259 } });
      await scheduler.start();
      stop = () => scheduler.stop();
      send({ type: 'ready', endpointUrl: scheduler.endpointUrl });
    } else {
      const signing = spec.signingCert && spec.signingKey ? { cert: spec.signingCert, key: createPrivateKey(spec.signingKey) } : undefined;
      const manager = createControllerManager({ server: spec.server, ca: spec.ca, cert: spec.cert, key: spec.key, clusterCIDR: spec.clusterCIDR, signing });
      await manager.start();
      stop = () => manager.stop();
      send({ type: 'ready' });
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    send({ type: 'failed', message: (err as Error)?.message ?? String(err), ...(typeof code === 'string' ? { code } : {}) });
    return;
  }
  port.on('message', (m: unknown) => {
    if (!m || typeof m !== 'object' || (m as { type?: unknown }).type !== 'stop') return;
    stop().then(
      () => send({ type: 'stopped' }),
      (err: unknown) => {
        send({ type: 'failed', message: `stopping: ${(err as Error)?.message ?? String(err)}` });
        send({ type: 'stopped' });
      },
    );
  });
}

void main();
