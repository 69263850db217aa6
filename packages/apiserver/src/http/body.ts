// Request bodies: fastify hands every body over as a Buffer (one catch-all parser, so a PUT with
// no Content-Type — kubectl scale --current-replicas — is read too), and the routes decode it here
// by media type. Decoding failures are 400/415 Statuses; nothing malformed reaches storage.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseYaml, parseDocument } from 'yaml';
import { badRequest, unsupportedMediaType } from '../errors/status.ts';
import { decodeProtobufObject } from './protobuf.ts';

/** Kubernetes' limit on a request body (3 MiB), beyond which it answers 413. */
export const BODY_LIMIT = 3 * 1024 * 1024;

export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

export function registerBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
}

/** The media type of a request without parameters, lower-cased; '' when absent. */
export function mediaTypeOf(req: FastifyRequest): string {
  const ct = req.headers['content-type'];
  if (!ct) return '';
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
}

function bodyText(req: FastifyRequest): string {
  const b = req.body;
  if (b === undefined || b === null) return '';
  return Buffer.isBuffer(b) ? b.toString('utf8') : String(b);
}

export type BodyFormat = 'json' | 'yaml';

/** JSON or YAML text into a plain object; 400 when malformed or not an object. */
export function decodeText(text: string, format: BodyFormat): Record<string, unknown> {
  if (text.trim() === '') throw badRequest('the request body is empty: an object was expected');
  let v: unknown;
  if (format === 'json') {
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  } else {
    try {
      v = parseYaml(text, { uniqueKeys: false, version: '1.1', maxAliasCount: 100 });
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('the request body must be a JSON or YAML object');
  return v as Record<string, unknown>;
}

/** Decodes the body of a create/update: JSON (also when no Content-Type is sent) or YAML; else 415. */
export function decodeObjectBody(req: FastifyRequest): { obj: Record<string, unknown>; text: string; format: BodyFormat } {
  const mt = mediaTypeOf(req);
  let format: BodyFormat;
  if (mt === '' || mt === 'application/json' || mt === '*/*') format = 'json';
  else if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') format = 'yaml';
  else if (mt === 'application/vnd.kubernetes.protobuf' && Buffer.isBuffer(req.body)) {
    // kubectl's generators (create namespace|deployment|...|pdb) and drain's Eviction send protobuf; other protobuf bodies are 415.
    return { obj: decodeProtobufObject(req.body, unsupportedMediaType(mt, OBJECT_MEDIA_TYPES)), text: '', format: 'json' };
  } else throw unsupportedMediaType(mt, OBJECT_MEDIA_TYPES);
  const text = bodyText(req);
  return { obj: decodeText(text, format), text, format };
}

/** The raw body text and its media type, for PATCH (the patch engine decodes it). */
export function patchBody(req: FastifyRequest): { text: string; mediaType: string } {
  return { text: bodyText(req), mediaType: mediaTypeOf(req) };
}

/** Optional JSON body of a DELETE (DeleteOptions); absent or empty is fine. */
export function decodeOptionalBody(req: FastifyRequest): Record<string, unknown> | undefined {
  const text = bodyText(req);
  if (text.trim() === '') return undefined;
  const mt = mediaTypeOf(req);
  return decodeText(text, mt === 'application/yaml' ? 'yaml' : 'json');
}

/**
 * Paths of keys that appear twice in one JSON object (`spec.replicas`,
 * `spec.template.spec.containers[0].name`), for fieldValidation=Strict. Assumes `text` already
 * parsed as JSON, so the scanner can be small and forgiving.
 */
export function findDuplicateJsonFields(text: string): string[] {
  const dups: string[] = [];
  type Frame = { kind: 'obj'; path: string; keys: Set<string>; key: string } | { kind: 'arr'; path: string; index: number };
  const stack: Frame[] = [];
  let i = 0;
  const n = text.length;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.kind === 'arr') return `${top.path}[${top.index}]`;
    return top.path ? `${top.path}.${top.key}` : top.key;
  };
  const readString = (): string => {
    // i at opening quote
    let j = i + 1;
    let hasEscape = false;
    while (j < n && text.charCodeAt(j) !== 34) {
      if (text.charCodeAt(j) === 92) {
        hasEscape = true;
        j++;
      }
      j++;
    }
    const raw = text.slice(i, j + 1);
    i = j + 1;
    if (!hasEscape) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1); // not JSON after all: the scan stays forgiving, never throws
    }
  };
  let expectKey = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const s = readString();
      const top = stack[stack.length - 1];
      if (expectKey && top && top.kind === 'obj') {
        const path = top.path ? `${top.path}.${s}` : s;
        if (top.keys.has(s)) dups.push(path);
        else top.keys.add(s);
        top.key = s;
        expectKey = false;
      }
      continue;
    }
    if (c === 123) {
      stack.push({ kind: 'obj', path: childPath(), keys: new Set(), key: '' });
      expectKey = true;
    } else if (c === 91) {
      stack.push({ kind: 'arr', path: childPath(), index: 0 });
    } else if (c === 125 || c === 93) {
      stack.pop();
    } else if (c === 44) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'arr') top.index++;
      else expectKey = true;
    }
    i++;
  }
  return dups;
}

/** Keys given twice in one YAML mapping, worded like Kubernetes' YAML decoder (`line 3: key "replicas" already set in map`). */
export function findDuplicateYamlKeys(text: string): string[] {
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.1' });
  const out: string[] = [];
  for (const e of doc.errors) {
    if (e.code !== 'DUPLICATE_KEY') continue;
    const key = /^[^\s:]+/.exec(text.slice(e.pos[0]))?.[0] ?? '';
    out.push(`line ${e.linePos?.[0].line ?? 0}: key ${JSON.stringify(key.replace(/^["']|["']$/g, ''))} already set in map`);
  }
  return out;
}
