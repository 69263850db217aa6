// The opaque `continue` token of a paged list: the revision the first page was consistent with,
// and the last key returned (the next page starts strictly after it).
export interface ContinuePosition {
  revision: number;
  namespace: string;
  name: string;
}

export function encodeContinue(p: ContinuePosition): string {
  return Buffer.from(JSON.stringify([1, p.revision, p.namespace, p.name])).toString('base64url');
}

/** Returns undefined for anything that is not a token this module produced. */
export function decodeContinue(token: string): ContinuePosition | undefined {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 4 || v[0] !== 1) return undefined;
  const [, revision, namespace, name] = v as [number, unknown, unknown, unknown];
  if (!Number.isSafeInteger(revision) || (revision as number) < 0) return undefined;
  if (typeof namespace !== 'string' || typeof name !== 'string') return undefined;
  return { revision: revision as number, namespace, name };
}
