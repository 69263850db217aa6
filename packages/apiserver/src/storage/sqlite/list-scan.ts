// Reads one page of a resource's objects in (namespace, name) order. Kept apart from the storage
// class because paging with a filter is the only subtle part of listing: the filter runs before
// the limit is counted, so we read in chunks until `limit` objects matched or the keys ran out.
import type { KubeObject } from '@skiff/api';
import type { ListRow, Statements } from './statements.ts';

export interface ScanOptions {
  namespace?: string;
  /** 0 = everything. */
  limit: number;
  /** Start strictly after this key. */
  after?: { namespace: string; name: string };
  filter?: (obj: KubeObject) => boolean;
  /** Also return parsed objects (list()); listRaw() skips parsing unless a filter needs it. */
  parse: boolean;
}

export interface ScanResult {
  raws: string[];
  objects: KubeObject[] | undefined;
  /** Key of the last item returned, when more keys follow it. */
  next: { namespace: string; name: string } | undefined;
  /** Keys after `next` (unfiltered count; only computed without a filter, like Kubernetes). */
  remaining: number | undefined;
}

/** Rows read per query when a filter may reject rows. */
const FILTER_CHUNK = 512;

export function scan(s: Statements, resource: string, o: ScanOptions): ScanResult {
  const fetch = (after: ScanOptions['after'], n: number): ListRow[] =>
    o.namespace === undefined
      ? after
        ? s.listAllAfter.all(resource, after.namespace, after.name, n)
        : s.listAll.all(resource, n)
      : after
        ? s.listNsAfter.all(resource, o.namespace, after.name, n)
        : s.listNs.all(resource, o.namespace, n);
  const keyOf = (r: ListRow) => ({ namespace: r[0], name: r[1] });

  if (!o.filter) {
    // One query; LIMIT n+1 tells whether another page exists without a second round trip.
    const rows = fetch(o.after, o.limit > 0 ? o.limit + 1 : -1);
    const more = o.limit > 0 && rows.length > o.limit;
    if (more) rows.pop();
    const raws = rows.map((r) => r[2]);
    const next = more ? keyOf(rows[rows.length - 1]) : undefined;
    const remaining = next ? count(s, resource, o.namespace, next) : undefined;
    return { raws, objects: o.parse ? raws.map((t) => JSON.parse(t) as KubeObject) : undefined, next, remaining };
  }

  const raws: string[] = [];
  const objects: KubeObject[] = [];
  let after = o.after;
  for (;;) {
    const rows = fetch(after, FILTER_CHUNK);
    for (let i = 0; i < rows.length; i++) {
      const obj = JSON.parse(rows[i][2]) as KubeObject;
      if (!o.filter(obj)) continue;
      raws.push(rows[i][2]);
      objects.push(obj);
      if (o.limit > 0 && raws.length === o.limit) {
        const last = keyOf(rows[i]);
        // Kubernetes semantics: a continue token whenever keys remain, even if none of them match.
        const more = i < rows.length - 1 || fetch(last, 1).length > 0;
        return { raws, objects: o.parse ? objects : undefined, next: more ? last : undefined, remaining: undefined };
      }
    }
    if (rows.length < FILTER_CHUNK) return { raws, objects: o.parse ? objects : undefined, next: undefined, remaining: undefined };
    after = keyOf(rows[rows.length - 1]);
  }
}

function count(s: Statements, resource: string, namespace: string | undefined, after: { namespace: string; name: string }): number {
  return namespace === undefined ? s.countAllAfter.get(resource, after.namespace, after.name)! : s.countNsAfter.get(resource, namespace, after.name)!;
}
