// Termination messages as the kubelet reads them: the file at terminationMessagePath (a host file
// bind-mounted there, at most its last 4096 bytes) and, with FallbackToLogsOnError, the end of the
// container's log when it failed and wrote no message (the last 80 lines, at most 2048 bytes).
// A pod's messages together are kept under 12 KiB.

/** kubecontainer.MaxContainerTerminationMessageLength */
export const MAX_MESSAGE_BYTES = 4096;
/** kubecontainer.MaxContainerTerminationMessageLogLength */
export const MAX_LOG_MESSAGE_BYTES = 2048;
/** kubecontainer.MaxContainerTerminationMessageLogLines */
export const MAX_LOG_MESSAGE_LINES = 80;
/** kubecontainer.MaxPodTerminationMessageLogLength */
export const MAX_POD_MESSAGE_BYTES = 12 * 1024;

export interface MessageSource {
  /** The message file's last MAX_MESSAGE_BYTES, or undefined when there is none. */
  file: Buffer | undefined;
  policy: string | undefined;
  exitCode: number;
  /** The process never started (the runtime could not run it): there are no logs to fall back on. */
  neverStarted: boolean;
}

/** The message from the file, and whether the logs must be read instead (getTerminationMessage). */
export function messageFromFile(src: MessageSource): { message: string; readLogs: boolean } {
  const fallback = src.policy === 'FallbackToLogsOnError' && src.exitCode !== 0 && !src.neverStarted;
  if (!src.file) return { message: '', readLogs: fallback };
  return { message: src.file.toString('utf8'), readLogs: fallback && src.file.length === 0 };
}

/** The end of a log (already limited to its last MAX_LOG_MESSAGE_LINES lines), at most MAX_LOG_MESSAGE_BYTES. */
export function messageFromLogs(tail: Buffer): string {
  return tail.subarray(Math.max(0, tail.length - MAX_LOG_MESSAGE_BYTES)).toString('utf8');
}

/** Trims each message so that the pod's total stays under MAX_POD_MESSAGE_BYTES, each getting an equal share. */
export function trimPodMessages(messages: ReadonlyMap<string, string>): Map<string, string> {
  const total = [...messages.values()].reduce((n, m) => n + Buffer.byteLength(m), 0);
  if (total <= MAX_POD_MESSAGE_BYTES || messages.size === 0) return new Map(messages);
  const share = Math.floor(MAX_POD_MESSAGE_BYTES / messages.size);
  return new Map([...messages].map(([k, m]) => [k, Buffer.from(m).subarray(0, share).toString('utf8')]));
}
