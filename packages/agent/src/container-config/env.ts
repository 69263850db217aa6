// A container's environment as the kubelet builds it (makeEnvironmentVariables): envFrom sources
// first (ConfigMaps, Secrets, with a prefix), then env in order, each value expanded from the
// variables defined before it and the Service variables (./service-env.ts), which come last
// where the container does not define the name itself; valueFrom reads ConfigMaps, Secrets and
// the downward API. A
// missing reference that is not optional is an error with the kubelet's message, which holds the
// container in CreateContainerConfigError until the object appears.
import type { KubeObject } from '@skiff/api';
import { resolveFieldPath, resolveResourceField, type DownwardContext } from '../pod/downward.ts';
import { expandVars } from './expand.ts';

interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}
interface SourceRef {
  name?: string;
  optional?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
    configMapKeyRef?: KeyRef;
    secretKeyRef?: KeyRef;
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: SourceRef;
  secretRef?: SourceRef;
}

export interface EnvContainer {
  name: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
}

/** The ConfigMaps and Secrets the agent knows of (an informer's cache). */
export interface ObjectLookup {
  configMap(namespace: string, name: string): KubeObject | undefined;
  secret(namespace: string, name: string): KubeObject | undefined;
}

/** Something the container's configuration needs but cannot have yet (CreateContainerConfigError). */
export class ContainerConfigError extends Error {}

export interface EnvResult {
  env: { name: string; value: string }[];
  /** Keys of envFrom sources skipped as invalid variable names, one entry per source (an event each). */
  skipped: { kind: 'configMap' | 'secret'; name: string; keys: string[] }[];
}

// utilvalidation.IsEnvVarName: letters, digits, '_', '-', '.', not starting with a digit.
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Throws ContainerConfigError for a missing, non-optional reference. */
export function computeEnv(container: EnvContainer, ctx: DownwardContext, objects: ObjectLookup, serviceEnv: ReadonlyMap<string, string> = new Map()): EnvResult {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  // What `$(VAR)` may name: the variables so far, else a Service's.
  const scope = new Map(serviceEnv);
  const skipped: EnvResult['skipped'] = [];

  for (const from of container.envFrom ?? []) {
    const kind = from.configMapRef ? 'configMap' : from.secretRef ? 'secret' : undefined;
    const ref = from.configMapRef ?? from.secretRef;
    if (!kind || !ref) continue;
    const data = sourceData(kind, ns, ref.name ?? '', ref.optional === true, objects);
    if (!data) continue;
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const name = (from.prefix ?? '') + k;
      if (!ENV_NAME.test(name)) invalid.push(name);
      else {
        vars.set(name, v);
        scope.set(name, v);
      }
    }
    if (invalid.length) skipped.push({ kind, name: ref.name ?? '', keys: invalid.sort() });
  }

  for (const e of container.env ?? []) {
    let value = e.value ?? '';
    if (value !== '') value = expandVars(value, scope);
    else if (e.valueFrom) {
      const resolved = resolveValueFrom(e.valueFrom, container, ctx, ns, objects);
      if (resolved === undefined) continue; // an optional reference that is missing
      value = resolved;
    }
    vars.set(e.name, value);
    scope.set(e.name, value);
  }
  for (const [name, value] of serviceEnv) if (!vars.has(name)) vars.set(name, value);
  return { env: [...vars].map(([name, value]) => ({ name, value })), skipped };
}

function resolveValueFrom(from: NonNullable<EnvVar['valueFrom']>, container: EnvContainer, ctx: DownwardContext, ns: string, objects: ObjectLookup): string | undefined {
  const downward = from.fieldRef ? resolveFieldPath(from.fieldRef.fieldPath, ctx) : from.resourceFieldRef ? resolveResourceField(from.resourceFieldRef, container.name, ctx) : undefined;
  if (downward) {
    if ('error' in downward) throw new ContainerConfigError(downward.error);
    return downward.value;
  }
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (!keyRef) return '';
  const kind = from.configMapKeyRef ? 'configMap' : 'secret';
  const optional = keyRef.optional === true;
  const data = sourceData(kind, ns, keyRef.name ?? '', optional, objects);
  if (!data) return undefined;
  if (Object.hasOwn(data, keyRef.key)) return data[keyRef.key];
  if (optional) return undefined;
  throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${kind === 'configMap' ? 'ConfigMap' : 'Secret'} ${ns}/${keyRef.name ?? ''}`);
}

/** A ConfigMap's data (and binaryData) or a Secret's decoded data; undefined when missing and optional. */
function sourceData(kind: 'configMap' | 'secret', ns: string, name: string, optional: boolean, objects: ObjectLookup): Record<string, string> | undefined {
  const obj = kind === 'configMap' ? objects.configMap(ns, name) : objects.secret(ns, name);
  if (!obj) {
    if (optional) return undefined;
    throw new ContainerConfigError(`${kind === 'configMap' ? 'configmap' : 'secret'} "${name}" not found`);
  }
  const o = obj as KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> };
  if (kind === 'secret') return Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { ...(o.data ?? {}) };
}

/** command and args with `$(VAR)` expanded from the container's final environment. */
export function expandCommand(list: string[] | undefined, env: { name: string; value: string }[]): string[] | undefined {
  if (!list) return undefined;
  const vars = new Map(env.map((e) => [e.name, e.value]));
  return list.map((s) => expandVars(s, vars));
}
