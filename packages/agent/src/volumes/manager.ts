// The agent's volume manager: makes each pod's volumes ready before its containers start, gives
// each container its mounts, keeps configMap/secret/downwardAPI/projected files up to date, and
// removes a pod's volumes with the pod. Like the kubelet's volume manager, it keeps its state on
// disk under `<rootDir>/pods/<uid>/volumes/<plugin>/<name>`, so an agent restart finds it again.
//
//   emptyDir          a directory (0777) there; medium Memory: a tmpfs (size = sizeLimit)
//   hostPath          the host path, after its `type` check
//   configMap         a directory there, written by the atomic writer
//   secret, downwardAPI, projected   the same on a tmpfs: their files never touch the disk
//   persistentVolumeClaim            the claim's PersistentVolume (see claims.ts)
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { toBytes, type KubeObject } from '@skiff/api';
import type { DownwardContext } from '../pod/downward.ts';
import type { Mount } from '../runtime/types.ts';
import { writeAtomically } from './atomic-writer.ts';
import { checkHostPath } from './host-path.ts';
import { isMountPoint, mountTmpfs, unmountAll } from './host-mounts.ts';
import { computePayload, fsUserOf, projectedObjects, readsPodMetadata } from './projection.ts';
import type { PodTokens } from './tokens.ts';
import type { PodSecurityContextSpec, VolumeMountSpec, VolumeSpec } from './types.ts';

/** A volume ready to be mounted. */
export interface ReadyVolume {
  type: 'bind' | 'volume';
  /** Host path (bind) or runtime volume name (volume). */
  source: string;
  /** Where the data is on the host, for subPath (empty when the runtime has no host path for it). */
  hostDir: string;
  /** Mounted read-only into every container (configMap, secret, ..., a readOnly claim). */
  readOnly: boolean;
}

/** A claim's PersistentVolume, made ready on this node (claims.ts). */
export interface ClaimVolumes {
  setUp(pod: KubeObject, claimName: string): Promise<{ volumeName: string; mountpoint: string; readOnly: boolean }>;
}

/** ConfigMaps and Secrets by namespace and name (undefined: not found). */
export interface ObjectGetter {
  configMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** A volume that could not be set up; the message is the kubelet's FailedMount event text. */
export class VolumeError extends Error {
  readonly volume: string;
  constructor(volume: string, message: string) {
    super(message);
    this.volume = volume;
  }
}

export interface VolumeManagerOptions {
  /** The agent's state directory (pods' volumes live below it). */
  rootDir: string;
  nodeName: string;
  nodeIP: string;
  objects: ObjectGetter;
  claims?: ClaimVolumes;
  /** ServiceAccount tokens for serviceAccountToken sources (./tokens.ts). */
  tokens?: Pick<PodTokens, 'get' | 'forget'>;
  log: (message: string) => void;
}

interface PodVolumes {
  pod: KubeObject;
  ready: Map<string, ReadyVolume>;
}

const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

export class VolumeManager {
  private readonly o: VolumeManagerOptions;
  private readonly pods = new Map<string, PodVolumes>();

  constructor(o: VolumeManagerOptions) {
    this.o = o;
  }

  podDir(uid: string): string {
    return join(this.o.rootDir, 'pods', uid);
  }

  /** Makes every volume of the pod ready (idempotent); throws a VolumeError for the first that fails. */
  async setUp(pod: KubeObject): Promise<Map<string, ReadyVolume>> {
    const uid = pod.metadata.uid ?? '';
    const volumes = (pod.spec?.volumes ?? []) as VolumeSpec[];
    const state = this.pods.get(uid) ?? { pod, ready: new Map() };
    state.pod = pod;
    if (volumes.length === 0) return state.ready;
    this.pods.set(uid, state);
    for (const v of volumes) {
      if (state.ready.has(v.name)) continue;
      try {
        state.ready.set(v.name, await this.setUpVolume(pod, v));
      } catch (err) {
        throw new VolumeError(v.name, `MountVolume.SetUp failed for volume "${v.name}" : ${(err as Error).message}`);
      }
    }
    return state.ready;
  }

  /** The mounts of one container, from its volumeMounts (subPath directories made as the kubelet does). */
  mountsFor(container: { volumeMounts?: VolumeMountSpec[] }, ready: Map<string, ReadyVolume>): Mount[] {
    return (container.volumeMounts ?? []).map((m) => {
      const v = ready.get(m.name);
      if (!v) throw new VolumeError(m.name, `volume "${m.name}" is not ready`);
      const readOnly = v.readOnly || m.readOnly === true;
      if (!m.subPath) return { type: v.type, source: v.source, target: m.mountPath, readOnly };
      if (!v.hostDir) throw new VolumeError(m.name, `subPath is not supported for volume "${m.name}" on this runtime`);
      return { type: 'bind' as const, source: subPathSource(v.hostDir, m.subPath, m.name, !v.readOnly), target: m.mountPath, readOnly };
    });
  }

  /**
   * Rewrites the files of the pod's configMap, secret, downwardAPI and projected volumes from the
   * current objects (and the pod's current metadata); unchanged files are not touched.
   */
  async refresh(pod: KubeObject): Promise<void> {
    const state = this.pods.get(pod.metadata.uid ?? '');
    if (!state) return;
    state.pod = pod;
    for (const v of (pod.spec?.volumes ?? []) as VolumeSpec[]) {
      if (!state.ready.has(v.name) || !isProjection(v)) continue;
      try {
        await this.writeProjection(pod, v, this.volumeDir(pod, v));
      } catch (err) {
        throw new VolumeError(v.name, `MountVolume.SetUp failed for volume "${v.name}" : ${(err as Error).message}`);
      }
    }
  }

  /** Pods set up here whose projected volumes read the given object (or, for 'pod', their own metadata). */
  podsReading(kind: 'configMap' | 'secret', namespace: string, name: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { pod } of this.pods.values()) {
      if (pod.metadata.namespace !== namespace) continue;
      const vols = (pod.spec?.volumes ?? []) as VolumeSpec[];
      if (vols.some((v) => projectedObjects(v)[kind === 'configMap' ? 'configMaps' : 'secrets'].includes(name))) out.push(pod);
    }
    return out;
  }

  /** Pods set up here, other than `uid`, that mount the claim (ReadWriteOncePod is checked against them). */
  claimUsers(namespace: string, claim: string, uid: string): string[] {
    const out: string[] = [];
    for (const { pod } of this.pods.values()) {
      if (pod.metadata.uid === uid || pod.metadata.namespace !== namespace) continue;
      if (((pod.spec?.volumes ?? []) as VolumeSpec[]).some((v) => v.persistentVolumeClaim?.claimName === claim)) out.push(`${namespace}/${pod.metadata.name}`);
    }
    return out;
  }

  /** Whether a change of the pod's labels or annotations changes files in its volumes. */
  readsMetadata(pod: KubeObject): boolean {
    return ((pod.spec?.volumes ?? []) as VolumeSpec[]).some(readsPodMetadata);
  }

  /** Whether any pod set up here projects ConfigMaps or Secrets. */
  usesObjects(pod: KubeObject): boolean {
    return ((pod.spec?.volumes ?? []) as VolumeSpec[]).some((v) => {
      const o = projectedObjects(v);
      return o.configMaps.length + o.secrets.length > 0;
    });
  }

  /** The pods set up here, each with where its emptyDirs live (the emptyDir usage monitor measures them). */
  setUpPods(): { pod: KubeObject; volumeDir(volume: string): string }[] {
    return [...this.pods.values()].map(({ pod }) => ({
      pod,
      volumeDir: (volume: string) => join(this.podDir(pod.metadata.uid ?? ''), 'volumes', PLUGIN_DIRS.emptyDir, volume),
    }));
  }

  /**
   * The pod has terminated for good (evicted): its volumes are unmounted and its emptyDirs' data
   * removed, as the kubelet tears down the volumes of a terminated pod, while its other files
   * (termination messages) stay until the pod is deleted.
   */
  async releaseTerminated(uid: string): Promise<void> {
    this.pods.delete(uid);
    const dir = join(this.podDir(uid), 'volumes');
    if (!existsSync(dir)) return;
    await unmountAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Unmounts and removes everything of the pod below the agent's directory (emptyDirs with it). */
  async tearDown(uid: string): Promise<void> {
    this.pods.delete(uid);
    this.o.tokens?.forget(uid);
    const dir = this.podDir(uid);
    if (!existsSync(dir)) return;
    await unmountAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Removes the directories of pods that are no longer on this node (deleted while the agent was down). */
  async cleanupOrphans(live: ReadonlySet<string>): Promise<string[]> {
    const root = join(this.o.rootDir, 'pods');
    if (!existsSync(root)) return [];
    const gone = readdirSync(root).filter((uid) => !live.has(uid));
    for (const uid of gone) await this.tearDown(uid);
    return gone;
  }

  private volumeDir(pod: KubeObject, v: VolumeSpec): string {
    const kind = (Object.keys(PLUGIN_DIRS) as (keyof typeof PLUGIN_DIRS)[]).find((k) => v[k] !== undefined)!;
    return join(this.podDir(pod.metadata.uid ?? ''), 'volumes', PLUGIN_DIRS[kind], v.name);
  }

  private async setUpVolume(pod: KubeObject, v: VolumeSpec): Promise<ReadyVolume> {
    const fsGroup = (pod.spec?.securityContext as PodSecurityContextSpec | undefined)?.fsGroup;
    if (v.hostPath) {
      checkHostPath(v.hostPath.path, v.hostPath.type);
      return { type: 'bind', source: v.hostPath.path, hostDir: v.hostPath.path, readOnly: false };
    }
    if (v.emptyDir) {
      const dir = this.volumeDir(pod, v);
      mkdirSync(dir, { recursive: true });
      const limit = v.emptyDir.sizeLimit !== undefined ? toBytes(v.emptyDir.sizeLimit) : undefined;
      if (v.emptyDir.medium === 'Memory') await mountTmpfs(dir, { sizeBytes: limit, mode: 0o777 });
      else if (v.emptyDir.medium && v.emptyDir.medium !== '') throw new Error(`emptyDir medium ${v.emptyDir.medium} is not supported by skiff`);
      // Writable by every user, as in Kubernetes; with fsGroup, owned by that group (setgid).
      if (fsGroup !== undefined) {
        chownSync(dir, statSync(dir).uid, fsGroup);
        chmodSync(dir, 0o2777);
      } else chmodSync(dir, 0o777);
      return { type: 'bind', source: dir, hostDir: dir, readOnly: false };
    }
    if (isProjection(v)) {
      const dir = this.volumeDir(pod, v);
      mkdirSync(dir, { recursive: true });
      if (!v.configMap) await mountTmpfs(dir, { mode: 0o777 });
      chmodSync(dir, 0o777);
      await this.writeProjection(pod, v, dir);
      return { type: 'bind', source: dir, hostDir: dir, readOnly: true };
    }
    if (v.persistentVolumeClaim) {
      if (!this.o.claims) throw new Error('persistentVolumeClaim volumes are not available on this node');
      const pv = await this.o.claims.setUp(pod, v.persistentVolumeClaim.claimName);
      if (fsGroup !== undefined && pv.mountpoint) applyOwnership(pv.mountpoint, fsGroup, (pod.spec?.securityContext as PodSecurityContextSpec).fsGroupChangePolicy);
      return { type: 'volume', source: pv.volumeName, hostDir: pv.mountpoint, readOnly: pv.readOnly || v.persistentVolumeClaim.readOnly === true };
    }
    const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
    throw new Error(`volume type ${kind} is not supported by skiff`);
  }

  private async writeProjection(pod: KubeObject, v: VolumeSpec, dir: string): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const wanted = projectedObjects(v);
    const configMaps = new Map<string, KubeObject | undefined>();
    const secrets = new Map<string, KubeObject | undefined>();
    for (const n of wanted.configMaps) configMaps.set(n, await this.o.objects.configMap(ns, n));
    for (const n of wanted.secrets) secrets.set(n, await this.o.objects.secret(ns, n));
    const tokens = new Map<string, string>();
    if (this.o.tokens) for (const s of v.projected?.sources ?? []) if (s.serviceAccountToken) tokens.set(s.serviceAccountToken.path, await this.o.tokens.get(pod, s.serviceAccountToken));
    const downward: DownwardContext = { pod, nodeName: this.o.nodeName, nodeIP: this.o.nodeIP };
    const fsGroup = (pod.spec?.securityContext as PodSecurityContextSpec | undefined)?.fsGroup;
    const payload = computePayload(v, { configMap: (n) => configMaps.get(n), secret: (n) => secrets.get(n), downward, token: (path) => tokens.get(path), fsUser: fsUserOf(pod), fsGroup });
    writeAtomically(dir, payload, { fsGroup });
  }
}

function isProjection(v: VolumeSpec): boolean {
  return !!(v.configMap || v.secret || v.downwardAPI || v.projected);
}

/**
 * The host path a subPath mount binds: inside the volume, symlinks resolved (a configMap key is a
 * link into ..data), never outside it. A missing subPath of a writable volume is made as a
 * directory with the volume root's mode and group, as the kubelet does.
 */
export function subPathSource(volumeDir: string, subPath: string, volume: string, create: boolean): string {
  if (subPath.startsWith('/') || subPath.split('/').includes('..')) throw new VolumeError(volume, `subPath "${subPath}" must be a relative path without '..'`);
  const root = realpathSync(volumeDir);
  const wanted = join(root, subPath);
  let exists = true;
  try {
    lstatSync(wanted);
  } catch {
    exists = false;
  }
  if (!exists) {
    if (!create) throw new VolumeError(volume, `subPath "${subPath}" does not exist in volume "${volume}"`);
    const st = statSync(root);
    mkdirSync(wanted, { recursive: true, mode: st.mode & 0o7777 });
    chmodSync(wanted, st.mode & 0o7777);
    chownSync(wanted, st.uid, st.gid);
  }
  const real = realpathSync(wanted);
  // Outside the volume when the way there starts with a `..` step (not merely with `..`: the
  // atomic writer's own `..2026_...` version directories are inside).
  const rel = relative(root, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new VolumeError(volume, `subpath "${real}" not within volume path "${root}"`);
  return real;
}

/**
 * fsGroup for a claim's data: every file gets the group, read/write for it, directories setgid
 * (SetVolumeOwnership). OnRootMismatch skips the walk when the root already has the group.
 */
export function applyOwnership(root: string, gid: number, policy: string | undefined): void {
  const st = statSync(root);
  if (policy === 'OnRootMismatch' && st.gid === gid && (st.mode & 0o2000) !== 0) return;
  const walk = (p: string) => {
    const s = lstatSync(p);
    if (s.isSymbolicLink()) return;
    chownSync(p, s.uid, gid);
    if (s.isDirectory()) {
      chmodSync(p, (s.mode | 0o2070) & 0o7777);
      for (const e of readdirSync(p)) walk(join(p, e));
    } else chmodSync(p, (s.mode | 0o060) & 0o7777);
  };
  walk(root);
}
