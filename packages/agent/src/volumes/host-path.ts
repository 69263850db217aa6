// hostPath volumes: the `type` check made before the pod's containers start, with the kubelet's
// messages (pkg/volume/hostpath). DirectoryOrCreate and FileOrCreate make what is missing.
import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';

export const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] as const;

type FileKind = 'missing' | 'directory' | 'file' | 'socket' | 'char' | 'block' | 'other';

export function fileKind(st: Stats | undefined): FileKind {
  if (!st) return 'missing';
  if (st.isDirectory()) return 'directory';
  if (st.isFile()) return 'file';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'other';
}

/** What the check decides for what is at the path: create something, or fail with a message. */
export function computeHostPathCheck(path: string, type: string, kind: FileKind): { create?: 'directory' | 'file'; error?: string } {
  switch (type) {
    case '':
      // No check. Docker's bind mounts need the source; the dockershim created a directory.
      return kind === 'missing' ? { create: 'directory' } : {};
    case 'DirectoryOrCreate':
      if (kind === 'missing') return { create: 'directory' };
      return kind === 'directory' ? {} : { error: `hostPath type check failed: ${path} is not a directory` };
    case 'Directory':
      return kind === 'directory' ? {} : { error: `hostPath type check failed: ${path} is not a directory` };
    case 'FileOrCreate':
      if (kind === 'missing') return { create: 'file' };
      return kind === 'file' ? {} : { error: `hostPath type check failed: ${path} is not a file` };
    case 'File':
      return kind === 'file' ? {} : { error: `hostPath type check failed: ${path} is not a file` };
    case 'Socket':
      return kind === 'socket' ? {} : { error: `hostPath type check failed: ${path} is not a socket file` };
    case 'CharDevice':
      return kind === 'char' ? {} : { error: `hostPath type check failed: ${path} is not a character device` };
    case 'BlockDevice':
      return kind === 'block' ? {} : { error: `hostPath type check failed: ${path} is not a block device` };
    default:
      return { error: `${type} is an invalid volume type` };
  }
}

/** Checks (and for the *OrCreate types makes) the host path; throws with the kubelet's message. */
export function checkHostPath(path: string, type: string | undefined): void {
  let st: Stats | undefined;
  try {
    st = statSync(path);
  } catch {
    st = undefined;
  }
  const decision = computeHostPathCheck(path, type ?? '', fileKind(st));
  if (decision.error) throw new Error(decision.error);
  // As the kubelet: directories 0755, files 0644 (the parent of a file must exist).
  if (decision.create === 'directory') mkdirSync(path, { recursive: true, mode: 0o755 });
  if (decision.create === 'file') closeSync(openSync(path, 'a', 0o644));
}
