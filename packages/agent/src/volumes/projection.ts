// The files of a configMap, secret, downwardAPI or projected volume, computed from the objects
// they project. Pure: the volume manager fetches the objects and writes the result with the
// atomic writer. Messages are the kubelet's, as they appear in FailedMount events.
import type { KubeObject } from '@skiff/api';
import { resolveFieldPath, resolveResourceField, type DownwardContext } from '../pod/downward.ts';
import type { ConfigMapProjection, DownwardAPIVolumeFile, KeyToPath, VolumeProjection, VolumeSpec } from './types.ts';

/** One file of the volume: its content and permission bits. */
export interface FileProjection {
  data: Buffer;
  mode: number;
  /** The file's owner, when not root: the pod's user for its ServiceAccount token (the kubelet's FsUser). */
  uid?: number;
}

export type Payload = Map<string, FileProjection>;

/** The objects a projection reads, by name in the pod's namespace (undefined: not found). */
export interface ProjectionSources {
  configMap(name: string): KubeObject | undefined;
  secret(name: string): KubeObject | undefined;
  downward: DownwardContext;
  /** The ServiceAccount token fetched for a serviceAccountToken source (by its path); undefined: none on this node. */
  token?(path: string): string | undefined;
  /** The user every container of the pod runs as (fsUserOf), and the pod's fsGroup: the token file is theirs alone. */
  fsUser?: number;
  fsGroup?: number;
}

export class ProjectionError extends Error {}

/** Kubernetes' default file mode for these volumes (0644). */
export const DEFAULT_MODE = 0o644;

/** The names of the ConfigMaps and Secrets a volume reads (to know which changes concern it). */
export function projectedObjects(v: VolumeSpec): { configMaps: string[]; secrets: string[] } {
  const configMaps: string[] = [];
  const secrets: string[] = [];
  if (v.configMap?.name) configMaps.push(v.configMap.name);
  if (v.secret?.secretName) secrets.push(v.secret.secretName);
  for (const s of v.projected?.sources ?? []) {
    if (s.configMap?.name) configMaps.push(s.configMap.name);
    if (s.secret?.name) secrets.push(s.secret.name);
  }
  return { configMaps, secrets };
}

/** Whether the volume's files are shown to the pod's labels or annotations (they change in place). */
export function readsPodMetadata(v: VolumeSpec): boolean {
  const items = [...(v.downwardAPI?.items ?? []), ...(v.projected?.sources ?? []).flatMap((s) => s.downwardAPI?.items ?? [])];
  return items.some((i) => i.fieldRef?.fieldPath.startsWith('metadata.'));
}

/**
 * The user all of the pod's containers run as (the kubelet's FsUserFrom): each container's
 * runAsUser, else the pod's; undefined when one has none or two differ.
 */
export function fsUserOf(pod: KubeObject): number | undefined {
  const podUser: number | undefined = pod.spec?.securityContext?.runAsUser;
  let user: number | undefined;
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])] as { securityContext?: { runAsUser?: number } }[]) {
    const u = c.securityContext?.runAsUser ?? podUser;
    if (u === undefined || (user !== undefined && u !== user)) return undefined;
    user = u;
  }
  return user;
}

export function computePayload(v: VolumeSpec, src: ProjectionSources): Payload {
  const out: Payload = new Map();
  if (v.configMap) {
    const mode = v.configMap.defaultMode ?? DEFAULT_MODE;
    projectKeys(out, 'configmap', v.configMap, src.configMap(v.configMap.name ?? ''), mode, false);
  } else if (v.secret) {
    const mode = v.secret.defaultMode ?? DEFAULT_MODE;
    projectKeys(out, 'secret', { name: v.secret.secretName, items: v.secret.items, optional: v.secret.optional }, src.secret(v.secret.secretName ?? ''), mode, true);
  } else if (v.downwardAPI) {
    projectDownward(out, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? DEFAULT_MODE, src.downward);
  } else if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    for (const s of v.projected.sources ?? []) projectSource(out, s, mode, src);
  }
  return out;
}

function projectSource(out: Payload, s: VolumeProjection, mode: number, src: ProjectionSources): void {
  if (s.configMap) projectKeys(out, 'configmap', s.configMap, src.configMap(s.configMap.name ?? ''), mode, false);
  else if (s.secret) projectKeys(out, 'secret', s.secret, src.secret(s.secret.name ?? ''), mode, true);
  else if (s.downwardAPI) projectDownward(out, s.downwardAPI.items ?? [], mode, src.downward);
  else if (s.serviceAccountToken) {
    const token = src.token?.(s.serviceAccountToken.path);
    if (token === undefined) throw new ProjectionError('serviceAccountToken projections are not available on this node');
    // As the kubelet (projected.go): the token is 0600 and owned by the pod's user when all its
    // containers run as one user, 0600 then 0640 with fsGroup's group when there is one, else the
    // volume's mode (0644) under root.
    const own = src.fsUser !== undefined || src.fsGroup !== undefined;
    out.set(s.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode: own ? 0o600 : mode, ...(src.fsUser !== undefined ? { uid: src.fsUser } : {}) });
  }
}

/** The keys of a ConfigMap (data and binaryData) or Secret (data, base64), as files. */
function objectData(obj: KubeObject, secret: boolean): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  const text = (obj.data ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(text)) data.set(k, secret ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8'));
  if (!secret) for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
  return data;
}

function projectKeys(out: Payload, kind: 'configmap' | 'secret', ref: ConfigMapProjection, obj: KubeObject | undefined, mode: number, secret: boolean): void {
  if (!obj) {
    if (ref.optional) return;
    throw new ProjectionError(`${kind} "${ref.name ?? ''}" not found`);
  }
  const data = objectData(obj, secret);
  const items: KeyToPath[] = ref.items?.length ? ref.items : [...data.keys()].map((key) => ({ key, path: key }));
  for (const item of items) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (ref.optional) continue;
      throw new ProjectionError(kind === 'configmap' ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    out.set(item.path, { data: content, mode: item.mode ?? mode });
  }
}

function projectDownward(out: Payload, items: DownwardAPIVolumeFile[], mode: number, ctx: DownwardContext): void {
  for (const item of items) {
    const r = item.fieldRef ? resolveFieldPath(item.fieldRef.fieldPath, ctx) : item.resourceFieldRef ? resolveResourceField(item.resourceFieldRef, undefined, ctx) : { error: `downwardAPI item ${item.path} has no fieldRef or resourceFieldRef` };
    if ('error' in r) throw new ProjectionError(`unable to get the downward API value of ${item.path}: ${r.error}`);
    out.set(item.path, { data: Buffer.from(r.value, 'utf8'), mode: item.mode ?? mode });
  }
}
