// persistentVolumeClaim volumes on this node, and the built-in local provisioner for StorageClasses
// whose provisioner is `skiff.dev/local` (docs/adr/0011-volumes-and-local-provisioner.md).
//
// Provisioning runs in the agent, as Kubernetes' external-provisioner does in its node-deployment
// mode for node-local storage: the scheduler writes the node it chose into the claim's
// `volume.kubernetes.io/selected-node` annotation; the agent of that node, about to start the pod,
// makes a Docker named volume and a PersistentVolume pre-bound to the claim (claimRef) and pinned
// to the node (nodeAffinity); the controller manager's binder completes the binding. When a claim
// is deleted the binder marks its volume Released; with reclaimPolicy Delete this agent removes the
// Docker volume and the PersistentVolume (Retain keeps both). It watches each volume it made by
// name (the Node authorizer lets a node read the volumes pinned to it and those its pods' claims
// are bound to, not every volume: ADR 0018), as it watches its pods' Secrets and ConfigMaps.
import { LOCAL_PROVISIONER, PERSISTENT_VOLUME_CLAIMS as PVCS, PERSISTENT_VOLUMES as PVS, STORAGE_CLASSES as CLASSES, type KubeObject, type ResourceInfo } from '@skiff/api';
import { Informer, isAlreadyExists, isForbidden, isNotFound, type RestClient } from '@skiff/client';
import { LABEL_NODE_NAME, type ContainerRuntime } from '../runtime/types.ts';
import type { ClaimVolumes } from './manager.ts';


export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';
/** The CSI driver name in the PersistentVolumes the local provisioner makes. */
export const LOCAL_CSI_DRIVER = 'local.skiff.dev';
export const LABEL_PV = 'dev.skiff.pv';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export interface ClaimOptions {
  client: RestClient;
  runtime: ContainerRuntime;
  nodeName: string;
  /** Pods on this node other than `uid` that use the claim `namespace/name` (ReadWriteOncePod). */
  otherUsers(namespace: string, claim: string, uid: string): string[];
  log: (message: string) => void;
}

/** The PersistentVolume the local provisioner makes for a claim on a node (pure). */
export function computeLocalVolume(claim: KubeObject, cls: KubeObject, nodeName: string): KubeObject {
  const name = `pvc-${claim.metadata.uid}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [PROVISIONED_BY_ANNOTATION]: LOCAL_PROVISIONER }, labels: { [LABEL_PV]: name } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: (cls.reclaimPolicy as string | undefined) ?? 'Delete',
      storageClassName: claim.spec?.storageClassName,
      volumeMode: 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [nodeName] }] }] } },
      csi: { driver: LOCAL_CSI_DRIVER, volumeHandle: name },
    },
  } as KubeObject;
}

/** Whether a volume's required nodeAffinity lets this node use it (hostname terms; others are not checked here). */
export function volumeNodeAllows(pv: KubeObject, nodeName: string): boolean {
  const terms: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return true;
  return terms.some((t) => (t.matchExpressions ?? []).every((e) => e.key !== HOSTNAME_LABEL || (e.operator === 'In' ? (e.values ?? []).includes(nodeName) : e.operator === 'NotIn' ? !(e.values ?? []).includes(nodeName) : true)));
}

export class LocalClaims implements ClaimVolumes {
  private readonly o: ClaimOptions;
  /** One by-name watch per volume this node provisioned, until it is gone. */
  private readonly watched = new Map<string, Informer<KubeObject>>();
  private stopped = false;

  constructor(o: ClaimOptions) {
    this.o = o;
  }

  async setUp(pod: KubeObject, claimName: string): Promise<{ volumeName: string; mountpoint: string; readOnly: boolean }> {
    const ns = pod.metadata.namespace ?? 'default';
    const claim = await this.getOrUndefined(PVCS, ns, claimName);
    if (!claim) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
    if (claim.metadata.deletionTimestamp) throw new Error(`persistentvolumeclaim "${claimName}" is being deleted`);
    const modes: string[] = claim.spec?.accessModes ?? [];
    if (modes.includes('ReadWriteOncePod')) {
      const others = this.o.otherUsers(ns, claimName, pod.metadata.uid ?? '');
      if (others.length) throw new Error(`persistentvolumeclaim "${claimName}" is ReadWriteOncePod and in use by pod ${others.join(', ')}`);
    }
    let pv: KubeObject | undefined;
    if (claim.spec?.volumeName) {
      pv = await this.getOrUndefined(PVS, '', claim.spec.volumeName);
      if (!pv) throw new Error(`persistentvolume "${claim.spec.volumeName}" not found`);
    } else {
      pv = await this.provision(claim);
    }
    const ref = pv.spec?.claimRef;
    if (ref?.uid && ref.uid !== claim.metadata.uid) throw new Error(`persistentvolume "${pv.metadata.name}" is bound to another claim`);
    if (!volumeNodeAllows(pv, this.o.nodeName)) throw new Error(`persistentvolume "${pv.metadata.name}" is not available on node ${this.o.nodeName} (its node affinity)`);
    if (pv.spec?.csi?.driver === LOCAL_CSI_DRIVER && pv.spec.nodeAffinity) this.watchVolume(pv.metadata.name!);
    const readOnly = (pv.spec?.accessModes ?? []).length > 0 && (pv.spec.accessModes as string[]).every((m) => m === 'ReadOnlyMany');
    if (pv.spec?.csi?.driver === LOCAL_CSI_DRIVER) {
      const handle: string = pv.spec.csi.volumeHandle;
      // The data must be there: a volume removed behind skiff's back is not silently made anew.
      if (!(await this.o.runtime.listVolumes({ [LABEL_PV]: pv.metadata.name! })).includes(handle)) throw new Error(`the data of persistentvolume "${pv.metadata.name}" (volume ${handle}) is not on node ${this.o.nodeName}`);
      const { mountpoint } = await this.o.runtime.ensureVolume(handle, { [LABEL_PV]: pv.metadata.name! });
      return { volumeName: handle, mountpoint, readOnly };
    }
    throw new Error(`persistentvolume "${pv.metadata.name}" has a volume source skiff does not mount`);
  }

  /** A claim the scheduler placed on this node, not bound yet: make its volume here (idempotent). */
  private async provision(claim: KubeObject): Promise<KubeObject> {
    const name = claim.metadata.name;
    const selected = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    if (selected !== this.o.nodeName) throw new Error(`persistentvolumeclaim "${name}" is not bound`);
    const cls = await this.getOrUndefined(CLASSES, '', claim.spec?.storageClassName ?? '');
    if (!cls) throw new Error(`storageclass.storage.k8s.io "${claim.spec?.storageClassName ?? ''}" not found`);
    if (cls.provisioner !== LOCAL_PROVISIONER) throw new Error(`persistentvolumeclaim "${name}" is not bound (waiting for provisioner ${String(cls.provisioner)})`);
    const desired = computeLocalVolume(claim, cls, this.o.nodeName);
    const pvName = desired.metadata.name!;
    await this.o.runtime.ensureVolume(pvName, { [LABEL_PV]: pvName, [LABEL_NODE_NAME]: this.o.nodeName });
    try {
      const pv = await this.o.client.create(PVS, desired);
      this.o.log(`provisioned volume ${pvName} for claim ${claim.metadata.namespace}/${name}`);
      return pv;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      return this.o.client.get(PVS, '', pvName);
    }
  }

  /**
   * Watches the volumes this node provisioned (`names`: those whose data is here, from an earlier
   * run) and removes each once it is Released with reclaimPolicy Delete. Data whose volume is gone
   * (deleted by hand after Retain) is left alone: there is nothing to watch, and a node may not
   * read a volume that does not exist (403, as a missing object has no relationship to it).
   */
  async startReclaimer(names: Iterable<string>): Promise<void> {
    for (const n of names) {
      try {
        await this.o.client.get(PVS, '', n);
      } catch (err) {
        if (isNotFound(err) || isForbidden(err)) continue;
        throw err;
      }
      this.watchVolume(n);
    }
  }

  /** Watches one volume by name (idempotent); the watch ends when the volume is gone. */
  watchVolume(name: string): void {
    if (this.stopped || this.watched.has(name)) return;
    const inf = new Informer<KubeObject>(this.o.client, PVS, {
      fieldSelector: `metadata.name=${name}`,
      onError: (err, ctx) => this.o.log(`persistentvolume ${name} watch (${ctx}): ${(err as Error).message}`),
    });
    const check = (pv: KubeObject): void =>
      void this.reclaim(pv).catch((err: Error) => {
        // In use by a container still being removed, most often: try again shortly.
        this.o.log(`reclaiming ${pv.metadata.name} failed (retrying): ${err.message}`);
        setTimeout(() => {
          const current = inf.store.get(name);
          if (current && !this.stopped) check(current);
        }, 2000).unref();
      });
    inf.addEventHandler({
      onAdd: check,
      onUpdate: (_o, pv) => check(pv),
      onDelete: () => {
        inf.stop();
        this.watched.delete(name);
      },
    });
    inf.start();
    this.watched.set(name, inf);
  }

  stop(): void {
    this.stopped = true;
    for (const inf of this.watched.values()) inf.stop();
    this.watched.clear();
  }

  private async reclaim(pv: KubeObject): Promise<void> {
    if (pv.metadata.annotations?.[PROVISIONED_BY_ANNOTATION] !== LOCAL_PROVISIONER || pv.spec?.csi?.driver !== LOCAL_CSI_DRIVER) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    if (!volumeNodeAllows(pv, this.o.nodeName) || !pv.spec.nodeAffinity) return;
    await this.o.runtime.removeVolume(pv.spec.csi.volumeHandle);
    await this.o.client.delete(PVS, '', pv.metadata.name!, { preconditions: { uid: pv.metadata.uid } }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
    this.o.log(`deleted volume ${pv.metadata.name} (its claim is gone, reclaimPolicy Delete)`);
  }

  private async getOrUndefined(r: ResourceInfo, ns: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.o.client.get(r, ns, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
