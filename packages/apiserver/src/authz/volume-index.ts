// The PersistentVolume side of the Node authorizer's graph: for each volume, the claim it is bound
// to (`spec.claimRef`, Kubernetes' pv -> pvc edge) and the node it is pinned to (./pinned-volume.ts),
// from a watch of every PersistentVolume. Volumes themselves are not kept, only those two facts.
import { PERSISTENT_VOLUMES, type KubeObject } from '@skiff/api';
import type { Storage } from '../storage/types.ts';
import { storageKeyOf } from '../registry/strategy.ts';
import { pinnedNode } from './pinned-volume.ts';
import { WatchCache } from '../storage/watch-cache.ts';

export interface VolumeEdges {
  /** `namespace/name` of the claim in spec.claimRef. */
  claim?: string;
  pinned?: string;
}

export function volumeEdges(pv: KubeObject): VolumeEdges {
  const ref = pv.spec?.claimRef as { namespace?: string; name?: string } | undefined;
  const out: VolumeEdges = {};
  if (ref?.name) out.claim = `${ref.namespace ?? ''}/${ref.name}`;
  const node = pinnedNode(pv);
  if (node) out.pinned = node;
  return out;
}

export class VolumeIndex {
  private readonly volumes = new Map<string, VolumeEdges>();
  private readonly cache: WatchCache;

  constructor(storage: Storage, log: (msg: string, err?: unknown) => void) {
    this.cache = new WatchCache({
      storage,
      resource: storageKeyOf(PERSISTENT_VOLUMES),
      keep: false,
      handlers: {
        upsert: (pv) => this.volumes.set(pv.metadata.name!, volumeEdges(pv)),
        delete: (pv) => this.volumes.delete(pv.metadata.name!),
        reset: () => this.volumes.clear(),
      },
      log,
    });
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  close(): void {
    this.cache.close();
  }

  get(name: string): VolumeEdges | undefined {
    return this.volumes.get(name);
  }
}
