// The agent's files for a pod on the host, under `<rootDir>/pods/<uid>/` as the kubelet keeps
// them: one termination message file per container attempt (bind-mounted at the container's
// terminationMessagePath, writable by any user as the kubelet makes it), removed with the pod.
import { chmodSync, closeSync, mkdirSync, openSync, readSync, fstatSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { KubeObject } from '@skiff/api';
import { MAX_LOG_MESSAGE_LINES, MAX_MESSAGE_BYTES, messageFromFile, messageFromLogs } from '../container-config/termination-message.ts';
import type { ContainerInfo, ContainerRuntime } from '../runtime/types.ts';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, LABEL_RESTART_COUNT } from '../runtime/types.ts';

const podDir = (rootDir: string, uid: string) => join(rootDir, 'pods', uid);

function terminationFile(rootDir: string, uid: string, container: string, restartCount: number): string {
  return join(podDir(rootDir, uid), 'containers', container, `termination-log-${restartCount}`);
}

/** Writes the pod's own resolv.conf (a hostNetwork pod's, see PodSandbox.resolvConf) and returns its path. */
export function writePodResolvConf(rootDir: string, uid: string, text: string): string {
  const file = join(podDir(rootDir, uid), 'resolv.conf');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

/** Creates the (empty, mode 0666) termination message file of one attempt and returns its path. */
export function prepareTerminationFile(rootDir: string, pod: KubeObject, container: string, restartCount: number): string {
  const file = terminationFile(rootDir, pod.metadata.uid ?? '', container, restartCount);
  mkdirSync(join(file, '..'), { recursive: true });
  closeSync(openSync(file, 'w'));
  chmodSync(file, 0o666);
  return file;
}

/** The last `max` bytes of a file; undefined when it does not exist. */
function readTail(file: string, max: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** The termination message of an exited container (its file, or its log's end with FallbackToLogsOnError). */
export async function readTerminationMessage(rootDir: string, runtime: ContainerRuntime, c: ContainerInfo, policy: string | undefined): Promise<string> {
  const file = terminationFile(rootDir, c.labels[LABEL_POD_UID], c.labels[LABEL_CONTAINER_NAME], Number(c.labels[LABEL_RESTART_COUNT] ?? 0));
  const { message, readLogs } = messageFromFile({ file: readTail(file, MAX_MESSAGE_BYTES), policy, exitCode: c.exitCode ?? 0, neverStarted: !c.startedAt });
  if (!readLogs) return message;
  try {
    return messageFromLogs(await drain(await runtime.logs(c.id, { tailLines: MAX_LOG_MESSAGE_LINES })));
  } catch (err) {
    return `Error on reading termination message from logs: ${(err as Error).message}`;
  }
}

function drain(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Removes everything the agent kept on the host for a pod. */
export function removePodFiles(rootDir: string, uid: string): void {
  if (uid) rmSync(podDir(rootDir, uid), { recursive: true, force: true });
}
