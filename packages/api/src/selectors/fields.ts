// Field selectors (`?fieldSelector=spec.nodeName=node-1,status.phase!=Running`): the grammar of
// k8s.io/apimachinery/pkg/fields, and which fields each kind lets you select on.

import type { KubeObject } from '../object.ts';
import type { ResourceInfo } from '../resources.ts';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

export class FieldSelectorError extends Error {}

const OPERATORS: FieldOperator[] = ['!=', '==', '='];

/** Splits on `sep` except where backslash-escaped. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === sep) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Values may escape `\`, `,` and `=` with a backslash; anything else escaped is an error. */
function unescapeValue(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      out += s[i];
      continue;
    }
    const c = s[++i];
    if (c !== '\\' && c !== ',' && c !== '=') throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c ?? ''}`);
    out += c;
  }
  return out;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    for (const op of OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** Parses `a=b,c==d,e!=f`; an empty value (`spec.nodeName=`) is allowed. Throws FieldSelectorError. */
export function parseFieldSelector(input: string): FieldSelector {
  if (input.trim() === '') return { requirements: [] };
  const requirements: FieldRequirement[] = [];
  for (const term of splitUnescaped(input, ',')) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    const [field, operator, raw] = parts;
    requirements.push({ field: field.trim(), operator, value: unescapeValue(raw) });
  }
  return { requirements };
}

export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/** Missing fields read as the empty string, as in fields.Set. */
export function fieldSelectorMatches(sel: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  for (const r of sel.requirements) {
    const actual = fields[r.field] ?? '';
    if (r.operator === '!=' ? actual === r.value : actual !== r.value) return false;
  }
  return true;
}

// ---- per-kind selectable fields ------------------------------------------------------------

type FieldFn = (obj: KubeObject) => Record<string, string>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function metaFields(obj: KubeObject, namespaced: boolean): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': str(obj.metadata?.name) };
  if (namespaced) f['metadata.namespace'] = str(obj.metadata?.namespace);
  return f;
}

interface KindFields {
  /** Every label the conversion function accepts (besides aliases). */
  supported: string[];
  /** Old names mapped to current ones, e.g. pods' `spec.host`. */
  aliases?: Record<string, string>;
  /** Kinds with their own conversion use this message; others use the generic one. */
  custom: boolean;
  fields: FieldFn;
}

const META_ONLY: KindFields = {
  supported: ['metadata.name', 'metadata.namespace'],
  custom: false,
  fields: (o) => metaFields(o, true),
};

const BY_KIND: Record<string, KindFields> = {
  'v1/Pod': {
    supported: [
      'metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
      'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName',
    ],
    aliases: { 'spec.host': 'spec.nodeName' },
    custom: true,
    fields: (o) => {
      const podIPs: { ip?: string }[] = o.status?.podIPs ?? [];
      return {
        ...metaFields(o, true),
        'spec.nodeName': str(o.spec?.nodeName),
        'spec.restartPolicy': str(o.spec?.restartPolicy),
        'spec.schedulerName': str(o.spec?.schedulerName),
        'spec.serviceAccountName': str(o.spec?.serviceAccountName),
        'spec.hostNetwork': String(o.spec?.hostNetwork === true),
        'status.phase': str(o.status?.phase),
        // Kubernetes reads podIPs[0]; fall back to podIP for writers that set only that.
        'status.podIP': str(podIPs[0]?.ip ?? o.status?.podIP),
        'status.nominatedNodeName': str(o.status?.nominatedNodeName),
      };
    },
  },
  'v1/Node': {
    supported: ['metadata.name', 'spec.unschedulable'],
    custom: true,
    fields: (o) => ({ ...metaFields(o, false), 'spec.unschedulable': String(o.spec?.unschedulable === true) }),
  },
  'v1/Namespace': {
    supported: ['metadata.name', 'status.phase'],
    custom: true,
    fields: (o) => ({ ...metaFields(o, false), 'status.phase': str(o.status?.phase) }),
  },
  'v1/Service': {
    supported: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'],
    custom: true,
    fields: (o) => ({ ...metaFields(o, true), 'spec.clusterIP': str(o.spec?.clusterIP), 'spec.type': str(o.spec?.type) }),
  },
  'v1/ReplicationController': {
    supported: ['metadata.name', 'metadata.namespace', 'status.replicas'],
    custom: true,
    fields: (o) => ({ ...metaFields(o, true), 'status.replicas': String(o.status?.replicas ?? 0) }),
  },
  'apps/v1/ReplicaSet': {
    supported: ['metadata.name', 'metadata.namespace', 'status.replicas'],
    custom: true,
    fields: (o) => ({ ...metaFields(o, true), 'status.replicas': String(o.status?.replicas ?? 0) }),
  },
  'v1/Secret': {
    supported: ['metadata.name', 'metadata.namespace', 'type'],
    custom: true,
    fields: (o) => ({ ...metaFields(o, true), type: str(o.type) }),
  },
  'v1/Event': {
    supported: [
      'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
      'reason', 'reportingComponent', 'source', 'type', 'metadata.namespace', 'metadata.name',
    ],
    custom: true,
    fields: (o) => {
      const io = (o.involvedObject ?? {}) as Record<string, unknown>;
      const source = (o.source ?? {}) as Record<string, unknown>;
      return {
        ...metaFields(o, true),
        'involvedObject.kind': str(io.kind),
        'involvedObject.namespace': str(io.namespace),
        'involvedObject.name': str(io.name),
        'involvedObject.uid': str(io.uid),
        'involvedObject.apiVersion': str(io.apiVersion),
        'involvedObject.resourceVersion': str(io.resourceVersion),
        'involvedObject.fieldPath': str(io.fieldPath),
        reason: str(o.reason),
        reportingComponent: str(o.reportingComponent),
        source: str(source.component),
        type: str(o.type),
      };
    },
  },
};

function kindFields(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'scope'>): KindFields {
  const key = `${resource.group ? `${resource.group}/` : ''}${resource.version}/${resource.kind}`;
  if (Object.hasOwn(BY_KIND, key)) return BY_KIND[key];
  if (resource.scope === 'Cluster') return { ...META_ONLY, fields: (o) => metaFields(o, false) };
  return META_ONLY;
}

/** The fields of `obj` a field selector may test, as strings (booleans as `true`/`false`). */
export function selectableFields(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'scope'>, obj: KubeObject): Record<string, string> {
  return kindFields(resource).fields(obj);
}

export function supportedFieldSelectors(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'scope'>): string[] {
  return [...kindFields(resource).supported];
}

/**
 * Checks a selector against what the kind supports and rewrites aliases (`spec.host`).
 * Throws FieldSelectorError with Kubernetes' message, which the server returns as a 400.
 */
export function normalizeFieldSelector(
  resource: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'scope'>,
  sel: FieldSelector,
): FieldSelector {
  const k = kindFields(resource);
  return {
    requirements: sel.requirements.map((r) => {
      const field = k.aliases && Object.hasOwn(k.aliases, r.field) ? k.aliases[r.field] : r.field;
      if (!k.supported.includes(field)) {
        throw new FieldSelectorError(
          k.custom ? `field label not supported: ${r.field}` : `"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
        );
      }
      return { ...r, field };
    }),
  };
}

/** Parse + normalize in one step, for the server's query parameter. */
export function parseFieldSelectorFor(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'scope'>, input: string): FieldSelector {
  return normalizeFieldSelector(resource, parseFieldSelector(input));
}

/** Does `obj` satisfy a (normalized) selector? */
export function objectMatchesFields(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'scope'>, sel: FieldSelector, obj: KubeObject): boolean {
  if (sel.requirements.length === 0) return true;
  return fieldSelectorMatches(sel, selectableFields(resource, obj));
}
