// Query parameters and request options shared by the resource routes, validated into typed
// options; anything malformed is a 400 Status.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeleteOptions as DeleteOptionsBody, KubeObject } from '@skiff/api';
import { badRequest, ApiError } from '../errors/status.ts';
import type { DeleteOptions } from '../registry/store.ts';
import type { ResourceStore } from '../registry/store.ts';
import { decodeOptionalBody, findDuplicateJsonFields, findDuplicateYamlKeys } from '../http/body.ts';
import type { BodyFormat } from '../http/body.ts';
import { decodeObject } from '@skiff/api';
import { fieldMatcher, labelMatcher } from '../registry/selectors.ts';
import { boolParam } from './bool-param.ts';
import { int64Param, isInt64 } from './int-param.ts';
import { decodeContinue } from '../storage/sqlite/continue-token.ts';

export type Query = Record<string, string | undefined>;

/** The query, one value a parameter: a repeated one counts with its first value, as Go's url.Values.Get reads it. */
export function queryOf(req: FastifyRequest): Query {
  const q = req.query as Record<string, string | string[] | undefined>;
  if (!Object.values(q).some(Array.isArray)) return q as Query;
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

export function dryRunOf(q: Query): boolean {
  const v = q.dryRun;
  if (v === undefined || v === '') return false;
  if (v === 'All') return true;
  throw new ApiError(400, 'BadRequest', `Invalid dryRun value: dryRun: Unsupported value: "${v}": supported values: "All"`);
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: Query): FieldValidation {
  const v = q.fieldValidation;
  if (v === undefined || v === '' || v === 'Ignore') return 'Ignore';
  if (v === 'Strict' || v === 'Warn') return v;
  throw badRequest(`fieldValidation must be one of Ignore, Warn, Strict; got "${v}"`);
}

/**
 * Decodes a body for the store's kind and applies fieldValidation: Strict -> 400 naming every
 * unknown and duplicate field, Warn -> one `Warning: 299` header each, Ignore -> silence.
 * Unknown fields are dropped in every mode by the api package's decoder, as Kubernetes' does.
 */
export interface DecodeCheckedOptions {
  store: ResourceStore;
  /** Where Warn mode adds its Warning headers. */
  reply: FastifyReply;
  mode: FieldValidation;
  /** The parsed body. */
  raw: Record<string, unknown>;
  /** The body as sent, scanned for duplicate fields (empty: no scan). */
  text: string;
  format: BodyFormat;
}

export function decodeChecked({ store, reply, mode, raw, text, format }: DecodeCheckedOptions): KubeObject {
  const kind = store.info.kind;
  const typeKind = raw.kind;
  // A body of another kind is reported as such before any field complaint.
  if ((typeKind !== undefined && typeKind !== kind) || (raw.apiVersion !== undefined && raw.apiVersion !== store.apiVersion)) {
    store.checkTypeMeta(raw as KubeObject);
  }
  const res = decodeObject(store.info, raw);
  if (!res.ok) throw badRequest(res.message);
  const problems = res.unknownFields.map((f) => `unknown field "${f}"`);
  if (mode !== 'Ignore' && text) {
    if (format === 'json') for (const d of findDuplicateJsonFields(text)) problems.push(`duplicate field "${d}"`);
    else for (const d of findDuplicateYamlKeys(text)) problems.push(`yaml: unmarshal errors:\n  ${d}`);
  }
  if (problems.length > 0 && mode === 'Strict') {
    throw badRequest(`${kind} in version "${store.info.version}" cannot be handled as a ${kind}: strict decoding error: ${problems.join(', ')}`);
  }
  if (mode === 'Warn') addWarnings(reply, problems);
  return res.object;
}

export function addWarnings(reply: FastifyReply, messages: string[]): void {
  if (messages.length === 0) return;
  const prev = reply.getHeader('warning');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  for (const m of messages) list.push(`299 - ${JSON.stringify(m)}`);
  reply.header('warning', list);
}

/** labelSelector + fieldSelector into one predicate (undefined when both are empty); 400 when malformed. */
export function filterOf(store: ResourceStore, q: Query): ((o: KubeObject) => boolean) | undefined {
  const ls = q.labelSelector?.trim();
  const fs = q.fieldSelector?.trim();
  let lm: ((o: KubeObject) => boolean) | undefined;
  let fm: ((o: KubeObject) => boolean) | undefined;
  try {
    if (ls) lm = labelMatcher(ls);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  try {
    if (fs) fm = fieldMatcher(store.info, fs);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  if (lm && fm) return (o) => lm(o) && fm(o);
  return lm ?? fm;
}

function intParam(q: Query, name: string): number | undefined {
  return int64Param(q[name], name);
}

/**
 * The `continue` token of a list, checked before storage sees it: one that is not a token this
 * server produced (or was issued for another namespace) is a 400, as kube-apiserver answers
 * "invalid continue token"; 410 Expired is kept for a valid token whose revision is compacted.
 */
export function continueOf(q: Query, namespace: string | undefined): string | undefined {
  const token = q.continue;
  if (!token) return undefined;
  const p = decodeContinue(token);
  if (!p) throw badRequest(`invalid continue token: ${JSON.stringify(token.length > 64 ? `${token.slice(0, 64)}...` : token)} is not a continue token of this server`);
  if (namespace !== undefined && p.namespace !== namespace) throw badRequest(`invalid continue token: it continues a list of namespace ${JSON.stringify(p.namespace)}, not ${JSON.stringify(namespace)}`);
  return token;
}

export function limitOf(q: Query): number | undefined {
  const n = intParam(q, 'limit');
  // Any int64 is a valid limit; beyond 2^53 it means "all" (and storage takes safe integers only).
  return n !== undefined && n > 0 ? Math.min(n, Number.MAX_SAFE_INTEGER) : undefined;
}

export function timeoutOf(q: Query): number | undefined {
  const n = intParam(q, 'timeoutSeconds');
  if (n !== undefined && n < 0) throw badRequest('timeoutSeconds must be non-negative');
  return n;
}

const POLICIES = new Set<string>(['Foreground', 'Background', 'Orphan'] satisfies DeleteOptions['propagationPolicy'][]);

/** DeleteOptions from the body (kubectl) and the query (client-node, curl), query winning where both are given. */
export function deleteOptionsOf(req: FastifyRequest): DeleteOptions {
  return deleteOptionsFrom((decodeOptionalBody(req) ?? {}) as DeleteOptionsBody, queryOf(req));
}

/** DeleteOptions from a decoded body (a DELETE's, or an Eviction's `deleteOptions`) and the query. */
export function deleteOptionsFrom(body: DeleteOptionsBody, q: Query): DeleteOptions {
  if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw badRequest(`expected a DeleteOptions body, got kind "${body.kind}"`);
  const opts: DeleteOptions = {};
  const grace = intParam(q, 'gracePeriodSeconds') ?? body.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    if (!isInt64(grace)) throw badRequest(`gracePeriodSeconds must be a 64-bit integer, got ${JSON.stringify(grace)}`);
    opts.gracePeriodSeconds = grace;
  }
  const policy = q.propagationPolicy ?? body.propagationPolicy;
  if (policy !== undefined && policy !== null) {
    if (!POLICIES.has(policy)) throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  }
  const orphan = boolParam(q.orphanDependents, 'orphanDependents') ?? body.orphanDependents;
  if (typeof orphan === 'boolean') {
    if (opts.propagationPolicy) throw badRequest('Using both orphanDependents and propagationPolicy is not allowed');
    opts.orphanDependents = orphan;
  }
  const pre = body.preconditions;
  if (pre && typeof pre === 'object') opts.preconditions = { uid: pre.uid ?? undefined, resourceVersion: pre.resourceVersion ?? undefined };
  const dry = q.dryRun !== undefined ? dryRunOf(q) : Array.isArray(body.dryRun) && body.dryRun.includes('All');
  opts.dryRun = dry;
  return opts;
}
