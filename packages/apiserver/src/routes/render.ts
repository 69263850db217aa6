// Response bodies: plain objects, lists (built from the stored JSON texts when the storage offers
// them, so a list costs no parse + stringify per item), server-side Tables, and writes' results
// (the text the storage wrote, when it kept it).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KubeObject } from '@skiff/api';
import { parseIncludeObject, tableAccept, toTable } from '../tables/index.ts';
import type { IncludeObject } from '../tables/index.ts';
import { badRequest } from '../errors/status.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { Query } from './query.ts';
import type { RawText } from '../storage/types.ts';
import { storedTextOf } from '../storage/object-text.ts';

export const JSON_TYPE = 'application/json';
const TABLE_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** A write's reply: the text the storage wrote for `obj` when it kept it (../storage/object-text.ts), else `obj` serialized. */
export function sendWritten(reply: FastifyReply, code: number, obj: KubeObject): FastifyReply {
  const stored = storedTextOf(obj);
  return stored === undefined ? reply.code(code).send(obj) : reply.code(code).type(JSON_TYPE).send(stored);
}

/** The Table options when the client asked for a Table (kubectl get), else undefined. */
export function tableRequest(req: FastifyRequest, q: Query): { includeObject: IncludeObject } | undefined {
  if (!tableAccept(req.headers.accept)) return undefined;
  const includeObject = parseIncludeObject(q.includeObject);
  if (!includeObject) throw badRequest(`includeObject: Unsupported value: "${q.includeObject}": supported values: "None", "Metadata", "Object"`);
  return { includeObject };
}

export function sendTable(reply: FastifyReply, store: ResourceStore, objects: KubeObject[], opts: { includeObject: IncludeObject; resourceVersion?: string; continue?: string }): void {
  const t = toTable(store.info, objects, opts);
  // A Buffer: fastify would rewrite a string reply's media type parameters into quoted form.
  reply.header('content-type', TABLE_TYPE).send(Buffer.from(JSON.stringify(t)));
}

/**
 * List items go out without apiVersion/kind, as kube-apiserver encodes typed lists. Stored texts
 * begin with `{"apiVersion":...,"kind":...,` (objects are stored in that key order), so the
 * prefix is cut off without parsing; any other text is passed through unchanged.
 */
export function itemPrefix(store: ResourceStore): string {
  return `{"apiVersion":${JSON.stringify(store.apiVersion)},"kind":${JSON.stringify(store.info.kind)},`;
}

export function listBody(store: ResourceStore, items: RawText[], meta: { revision: number; continue?: string; remainingItemCount?: number }): string | Buffer {
  const prefix = itemPrefix(store);
  let head = `{"kind":"${store.info.listKind}","apiVersion":"${store.apiVersion}","metadata":{"resourceVersion":"${meta.revision}"`;
  if (meta.continue) head += `,"continue":${JSON.stringify(meta.continue)}`;
  if (meta.remainingItemCount !== undefined) head += `,"remainingItemCount":${meta.remainingItemCount}`;
  head += '},"items":[';
  if (items.some((t) => typeof t !== 'string')) return listBytes(head, prefix, items);
  let out = head;
  for (let i = 0; i < items.length; i++) {
    const s = items[i] as string;
    if (i > 0) out += ',';
    out += s.startsWith(prefix) ? '{' + s.slice(prefix.length) : s;
  }
  return out + ']}';
}

const OPEN = Buffer.from('{');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/** listBody from texts in pieces of bytes (RawText): each piece is copied once, into the body. */
function listBytes(head: string, prefix: string, items: RawText[]): Buffer {
  const p = Buffer.from(prefix);
  const parts: Buffer[] = [Buffer.from(head)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    const t = items[i];
    const pieces = typeof t === 'string' ? [Buffer.from(t)] : t;
    const first = pieces[0] ?? Buffer.alloc(0);
    if (first.length >= p.length && first.compare(p, 0, p.length, 0, p.length) === 0) parts.push(OPEN, first.subarray(p.length));
    else parts.push(first);
    for (let k = 1; k < pieces.length; k++) parts.push(pieces[k]);
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

export function stripTypeMeta(o: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}
