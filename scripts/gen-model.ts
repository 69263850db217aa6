// Generates skiff's object model from @kubernetes/client-node 1.1.2 (installed as the dev
// dependency `k8s-model-v1.32`), whose models are generated from Kubernetes' OpenAPI spec v1.32.0.
//
//   pnpm gen:model            (or: node scripts/gen-model.ts --out DIR, to write elsewhere)
//
// Reads every model class's `attributeTypeMap` (JSON name, type, format) and its `.d.ts` (which
// fields are optional, the JSDoc descriptions), adds the facts client-node does not carry
// (scripts/model/facts.ts: quantities, patch strategies, non-pointer structs), and writes:
//   packages/api/src/model/k8s-1.32.json       the structure: every type, field and field type
//   packages/api/src/model/k8s-1.32.docs.json  descriptions, for OpenAPI / kubectl explain
//   packages/api/src/model/types.generated.ts  the TypeScript interfaces
// See docs/adr/0008-object-model.md for the format and how OpenAPI names are derived.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APIMACHINERY_TYPES, CLASS_PREFIX_GROUPS, GROUP_PACKAGES, KIND_GROUPS, PATCH_FIELDS, POINTER_FIELDS, QUANTITY_FIELDS, STRUCT_FIELDS } from './model/facts.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'node_modules/k8s-model-v1.32');
const GEN = join(SOURCE, 'dist/gen');
const outFlag = process.argv.indexOf('--out');
const OUT = outFlag >= 0 ? process.argv[outFlag + 1] : join(ROOT, 'packages/api/src/model');

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ClassInfo {
  cls: string;
  attrs: Attribute[];
  optional: Set<string>;
  description: string;
  fieldDocs: Record<string, string>;
}

// ---- 1. read client-node's classes -----------------------------------------------------------

const models = (await import(join(GEN, 'models/all.js'))) as Record<string, { attributeTypeMap?: Attribute[] }>;
const pkg = JSON.parse(readFileSync(join(SOURCE, 'package.json'), 'utf8')) as { version: string };

function unescapeDoc(s: string): string {
  return s.replace(/\\(['"])/g, '$1').trim();
}

/** Class description, field descriptions and optional fields from the class's .d.ts. */
function readDts(cls: string): Pick<ClassInfo, 'optional' | 'description' | 'fieldDocs'> {
  const text = readFileSync(join(GEN, 'models', `${cls}.d.ts`), 'utf8');
  const optional = new Set<string>();
  const fieldDocs: Record<string, string> = {};
  const classDoc = /\/\*\*\n\* ([\s\S]*?)\n\*\/\nexport declare class/.exec(text);
  const body = text.slice(text.indexOf('export declare class'));
  const fieldRe = /(?:\/\*\*\n\s*\* ([\s\S]*?)\n\s*\*\/\n)?\s*'([^']+)'(\??):/g;
  for (let m = fieldRe.exec(body); m; m = fieldRe.exec(body)) {
    if (m[3] === '?') optional.add(m[2]);
    if (m[1]) fieldDocs[m[2]] = unescapeDoc(m[1].replace(/\n\s*\* ?/g, '\n'));
  }
  return { optional, description: classDoc ? unescapeDoc(classDoc[1]) : '', fieldDocs };
}

const classes = new Map<string, ClassInfo>();
for (const [cls, C] of Object.entries(models)) {
  if (!C?.attributeTypeMap) continue;
  classes.set(cls, { cls, attrs: C.attributeTypeMap, ...readDts(cls) });
}

// ---- 2. which API group each class belongs to ------------------------------------------------

/** Classes the operations of each group-version read or write. */
const groupsUsing = new Map<string, Set<string>>();
for (const file of readdirSync(join(GEN, 'apis')).filter((f) => /V\d+(alpha\d+|beta\d+)?Api\.js$/.test(f))) {
  const text = readFileSync(join(GEN, 'apis', file), 'utf8');
  const path = /localVarPath = '\/(api\/v1|apis\/([^/]+)\/[^/]+)\//.exec(text);
  if (!path) continue;
  const group = path[2] ?? '';
  for (const m of text.matchAll(/ObjectSerializer\.(?:de)?serialize\([^"]*"([A-Za-z0-9]+)"/g)) {
    const s = groupsUsing.get(m[1]) ?? new Set<string>();
    s.add(group);
    groupsUsing.set(m[1], s);
  }
}

const NAME_RE = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/;

function splitClass(cls: string): { prefix?: string; version: string; name: string } {
  const m = NAME_RE.exec(cls);
  if (!m) throw new Error(`unexpected class name ${cls}`);
  return { prefix: m[1], version: m[2].toLowerCase(), name: m[3] };
}

function isKind(c: ClassInfo): boolean {
  const names = new Set(c.attrs.map((a) => a.baseName));
  return names.has('apiVersion') && names.has('kind') && groupsUsing.has(c.cls);
}

const classGroup = new Map<string, string>();
for (const c of classes.values()) {
  if (APIMACHINERY_TYPES[c.cls] || !isKind(c)) continue;
  const { prefix } = splitClass(c.cls);
  const used = [...groupsUsing.get(c.cls)!];
  const group = KIND_GROUPS[c.cls] ?? (prefix ? CLASS_PREFIX_GROUPS[prefix] : undefined) ?? (used.length === 1 ? used[0] : undefined);
  if (group === undefined) throw new Error(`${c.cls} is used by groups ${used.join(', ')}: add it to KIND_GROUPS`);
  classGroup.set(c.cls, group);
}

function referencedClasses(type: string): string[] {
  return [...type.matchAll(/[A-Z][A-Za-z0-9]*V\d[A-Za-z0-9]*|V\d[A-Za-z0-9]*/g)].map((m) => m[0]).filter((n) => classes.has(n));
}

// Types that are not kinds take the group of the kinds that reach them; core wins (a PodTemplateSpec
// reached from apps is still core's).
const reachedBy = new Map<string, Set<string>>();
for (const [kind, group] of classGroup) {
  const stack = [kind];
  const seen = new Set<string>();
  while (stack.length) {
    const cls = stack.pop()!;
    if (seen.has(cls)) continue;
    seen.add(cls);
    const s = reachedBy.get(cls) ?? new Set<string>();
    s.add(group);
    reachedBy.set(cls, s);
    for (const a of classes.get(cls)!.attrs) stack.push(...referencedClasses(a.type));
  }
}
const ambiguous: string[] = [];
for (const cls of classes.keys()) {
  if (classGroup.has(cls) || APIMACHINERY_TYPES[cls]) continue;
  const { prefix } = splitClass(cls);
  if (prefix && CLASS_PREFIX_GROUPS[prefix] !== undefined) {
    classGroup.set(cls, CLASS_PREFIX_GROUPS[prefix]);
    continue;
  }
  const groups = reachedBy.get(cls);
  if (!groups) continue; // not part of any kind (client-node leftovers): left out
  if (groups.has('')) classGroup.set(cls, '');
  else if (groups.size === 1) classGroup.set(cls, [...groups][0]);
  else ambiguous.push(`${cls}: ${[...groups].join(', ')}`);
}
if (ambiguous.length) throw new Error(`types reached from several groups:\n${ambiguous.join('\n')}`);

function typeId(cls: string): string {
  const fixed = APIMACHINERY_TYPES[cls];
  if (fixed) return fixed;
  const group = classGroup.get(cls);
  if (group === undefined) throw new Error(`no group for ${cls}`);
  const { version, name } = splitClass(cls);
  const pkgPath = GROUP_PACKAGES[group] ?? `io.k8s.api.${group.split('.')[0]}`;
  return `${pkgPath}.${version}.${name}`;
}

// ---- 3. field types --------------------------------------------------------------------------

const quantities = new Set(QUANTITY_FIELDS);
const used = { quantity: new Set<string>(), patch: new Set<string>(), struct: new Set<string>(), pointer: new Set<string>() };

/**
 * The model's type reference for a client-node type: a scalar name (`string`, `int32`, `int64`,
 * `double`, `boolean`, `date-time`, `date-time-micro`, `byte`, `quantity`, `int-or-string`,
 * `any`), `[]T` for a list, `{}T` for a map, or a type's OpenAPI name.
 */
function typeRef(type: string, format: string, where: string): string {
  const arr = /^Array<(.*)>$/.exec(type);
  if (arr) return `[]${typeRef(arr[1], format, where)}`;
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (map) return `{}${typeRef(map[1], format, where)}`;
  switch (type) {
    case 'string':
      if (quantities.has(where)) {
        used.quantity.add(where);
        return 'quantity';
      }
      return format === 'byte' ? 'byte' : 'string';
    case 'number':
      if (format === 'int32' || format === 'int64') return format;
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'Date':
    case 'V1MicroTime':
      return format === 'date-time-micro' || type === 'V1MicroTime' ? 'date-time-micro' : 'date-time';
    case 'IntOrString':
      return 'int-or-string';
    case 'any':
      return 'any';
    default:
      if (!classes.has(type)) throw new Error(`${where}: unknown type ${type}`);
      return typeId(type);
  }
}

export interface TypeDef {
  gvk?: [group: string, version: string, kind: string][];
  props: Record<string, string>;
  required?: string[];
  always?: string[];
  patch?: Record<string, string>;
}

const types: Record<string, TypeDef> = {};
const docs: Record<string, Record<string, string>> = {};
const tsNames: Record<string, string> = {};

for (const c of classes.values()) {
  if (!APIMACHINERY_TYPES[c.cls] && !classGroup.has(c.cls)) continue;
  const id = typeId(c.cls);
  const def: TypeDef = { props: {} };
  const required: string[] = [];
  const always: string[] = [];
  const patch: Record<string, string> = {};
  const d: Record<string, string> = {};
  if (c.description) d[''] = c.description;
  const fields = new Set(c.attrs.map((a) => a.baseName));
  const isTemplate = /TemplateSpec$/.test(c.cls);
  const isList = fields.has('items') && fields.has('metadata') && /List$/.test(c.cls);
  const hasMeta = fields.has('metadata');
  for (const a of c.attrs) {
    const where = `${c.cls}.${a.baseName}`;
    const ref = typeRef(a.type, a.format, where);
    def.props[a.baseName] = ref;
    const isRequired = !c.optional.has(a.name);
    if (isRequired) required.push(a.baseName);
    const struct =
      STRUCT_FIELDS.includes(where) ||
      (hasMeta && fields.has('kind') && ['metadata', 'spec', 'status'].includes(a.baseName) && classes.has(a.type)) ||
      (isTemplate && ['metadata', 'spec'].includes(a.baseName)) ||
      (isList && a.baseName === 'metadata') ||
      (hasMeta && fields.has('kind') && (a.baseName === 'apiVersion' || a.baseName === 'kind'));
    if (STRUCT_FIELDS.includes(where)) used.struct.add(where);
    const pointer = POINTER_FIELDS.includes(where);
    if (pointer) used.pointer.add(where);
    if ((isRequired && !pointer) || struct) always.push(a.baseName);
    if (PATCH_FIELDS[where]) {
      patch[a.baseName] = PATCH_FIELDS[where];
      used.patch.add(where);
    }
    const doc = c.fieldDocs[a.name];
    if (doc) d[a.baseName] = doc;
  }
  if (required.length) def.required = required;
  if (always.length) def.always = always;
  if (Object.keys(patch).length) def.patch = patch;
  if (isKind(c) && classGroup.has(c.cls)) {
    const { version, name } = splitClass(c.cls);
    def.gvk = [[classGroup.get(c.cls)!, version, name]];
  }
  types[id] = def;
  if (Object.keys(d).length) docs[id] = d;
  tsNames[id] = c.cls;
}

// DeleteOptions, Status and WatchEvent are served by every group; Kubernetes lists each.
const everyGroup = [...new Set([...classGroup.values(), 'meta.k8s.io'])].sort();
types['io.k8s.apimachinery.pkg.apis.meta.v1.Status'].gvk = [['', 'v1', 'Status']];
types['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'].gvk = everyGroup.map((g) => [g, 'v1', 'DeleteOptions']);

const facts = [
  ['QUANTITY_FIELDS', QUANTITY_FIELDS, used.quantity],
  ['PATCH_FIELDS', Object.keys(PATCH_FIELDS), used.patch],
  ['STRUCT_FIELDS', STRUCT_FIELDS, used.struct],
  ['POINTER_FIELDS', POINTER_FIELDS, used.pointer],
] as const;
for (const [name, listed, set] of facts) {
  const stale = listed.filter((f) => !set.has(f));
  if (stale.length) throw new Error(`${name} names fields client-node does not have: ${stale.join(', ')}`);
}

// ---- 4. TypeScript names: the short Go name where it is unambiguous ---------------------------

const byShort = new Map<string, string[]>();
for (const id of Object.keys(types)) {
  const short = id.slice(id.lastIndexOf('.') + 1);
  byShort.set(short, [...(byShort.get(short) ?? []), id]);
}
const tsName: Record<string, string> = {};
for (const [short, ids] of byShort) {
  const v1 = ids.filter((id) => /\.v1\.[^.]+$/.test(id));
  const preferred = v1.length === 1 ? v1[0] : v1.find((id) => id.startsWith('io.k8s.api.core.') || id.startsWith('io.k8s.apimachinery.'));
  for (const id of ids) tsName[id] = id === preferred ? short : tsNames[id];
}

function tsType(ref: string): string {
  if (ref.startsWith('[]')) {
    const inner = tsType(ref.slice(2));
    return /[ |]/.test(inner) ? `Array<${inner}>` : `${inner}[]`;
  }
  if (ref.startsWith('{}')) return `Record<string, ${tsType(ref.slice(2))}>`;
  switch (ref) {
    case 'string':
    case 'byte':
      return 'string';
    case 'date-time':
    case 'date-time-micro':
    case 'quantity':
      return 'string';
    case 'int-or-string':
      return 'IntOrString';
    case 'int32':
    case 'int64':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'any':
      return 'unknown';
    default:
      return tsName[ref];
  }
}

const ids = Object.keys(types).sort();
const ts: string[] = [
  '// GENERATED by scripts/gen-model.ts from @kubernetes/client-node ' + pkg.version + ' (Kubernetes v1.32.0). Do not edit.',
  '// One interface per type of the model; a field the decoder always fills (Go writes it even when',
  '// empty) is not optional. Descriptions are in k8s-1.32.docs.json. Times are RFC 3339 strings and',
  '// quantities canonical strings (the decoder canonicalises them).',
  '',
  "import type { IntOrString } from '../intorstr.ts';",
  '',
];
for (const id of ids) {
  const def = types[id];
  const always = new Set(def.always ?? []);
  ts.push(`/** ${id} */`);
  ts.push(`export interface ${tsName[id]} {`);
  for (const [field, ref] of Object.entries(def.props)) {
    const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(field) ? field : `'${field}'`;
    ts.push(`  ${key}${always.has(field) ? '' : '?'}: ${tsType(ref)};`);
  }
  ts.push('}');
}

const sorted = <T,>(o: Record<string, T>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
const header = { source: `@kubernetes/client-node@${pkg.version}`, kubernetes: 'v1.32.0' };
writeFileSync(join(OUT, 'k8s-1.32.json'), JSON.stringify({ ...header, types: sorted(types), names: sorted(tsName) }) + '\n');
writeFileSync(join(OUT, 'k8s-1.32.docs.json'), JSON.stringify({ ...header, docs: sorted(docs) }) + '\n');
writeFileSync(join(OUT, 'types.generated.ts'), ts.join('\n') + '\n');
console.log(`model: ${ids.length} types, ${ids.filter((i) => types[i].gvk).length} kinds`);
