// The ConfigMaps and Secrets this node's pods use, each watched by name (a list and watch with
// `fieldSelector=metadata.name=NAME` in its namespace), as the kubelet's watch-based manager
// does: the Node authorizer lets a node read only the objects its own pods use, one by one
// (ADR 0018). A watch starts the first time a pod needs the object, is read directly from the
// API server until it has synced, and stops once no pod on the node uses it (forgetUnused).
// Every change of one wakes the pods that use it.
import { CONFIG_MAPS, SECRETS, type KubeObject, type ResourceInfo } from '@skiff/api';
import { Informer, isNotFound, type RestClient } from '@skiff/client';
import type { ObjectGetter } from './manager.ts';

export type ObjectKind = 'configMap' | 'secret';

const RESOURCES: Record<ObjectKind, ResourceInfo> = { configMap: CONFIG_MAPS, secret: SECRETS };

/** `kind/namespace/name`: how the objects in use are named to forgetUnused. */
export function objectKey(kind: ObjectKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export class ProjectedObjects implements ObjectGetter {
  private readonly client: RestClient;
  private readonly onChange: (kind: ObjectKind, namespace: string, name: string) => void;
  private readonly log: (message: string) => void;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private stopped = false;

  constructor(o: { client: RestClient; onChange: (kind: ObjectKind, namespace: string, name: string) => void; log: (message: string) => void }) {
    this.client = o.client;
    this.onChange = o.onChange;
    this.log = o.log;
  }

  stop(): void {
    this.stopped = true;
    for (const inf of this.informers.values()) inf.stop();
    this.informers.clear();
  }

  /** Stops watching the objects no pod uses any more (`used`: their objectKey()s). */
  forgetUnused(used: ReadonlySet<string>): void {
    for (const [key, inf] of this.informers) {
      if (used.has(key)) continue;
      inf.stop();
      this.informers.delete(key);
    }
  }

  configMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.get('configMap', namespace, name);
  }

  secret(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.get('secret', namespace, name);
  }

  private informer(kind: ObjectKind, namespace: string, name: string): Informer<KubeObject> | undefined {
    if (this.stopped) return undefined;
    const key = objectKey(kind, namespace, name);
    let inf = this.informers.get(key);
    if (inf) return inf;
    const r = RESOURCES[kind];
    inf = new Informer<KubeObject>(this.client, r, {
      namespace,
      fieldSelector: `metadata.name=${name}`,
      onError: (err, ctx) => this.log(`${r.plural} ${namespace}/${name} watch (${ctx}): ${(err as Error).message}`),
    });
    const changed = () => this.onChange(kind, namespace, name);
    inf.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    inf.start();
    this.informers.set(key, inf);
    return inf;
  }

  private async get(kind: ObjectKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    const inf = this.informer(kind, namespace, name);
    if (inf?.hasSynced()) return inf.store.get(`${namespace}/${name}`);
    try {
      return await this.client.get(RESOURCES[kind], namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
