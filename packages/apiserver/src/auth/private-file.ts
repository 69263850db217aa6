// Files that hold secrets and that skiff reads (--token-auth-file, the Secrets' encryption keys):
// a warning when others may read them. Kubernetes does not check; OpenSSH refuses a private key
// that others can read. skiff warns rather than refuses, since a file managed by configuration
// tooling may be group-readable on purpose, but says so at every start.
import { statSync } from 'node:fs';

/** Why `path` is not private to this process's user (undefined: it is, or it does not exist). */
export function privateFileProblem(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  const uid = process.getuid?.();
  const problems: string[] = [];
  if (st.mode & 0o077) problems.push(`mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} lets ${st.mode & 0o007 ? 'every user' : 'its group'} read or change it`);
  if (uid !== undefined && st.uid !== uid) problems.push(`it is owned by uid ${st.uid}, not this process's (${uid})`);
  return problems.length ? `${path} holds secrets but ${problems.join(', and ')}; chmod 600 it (and chown it to the user skiff runs as)` : undefined;
}
