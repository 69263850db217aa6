// The ConfigMaps and Secrets the agent's volumes project, from informers started the first time a
// pod on the node needs them (nodes without such pods watch nothing more), and read directly from
// the API server until those have synced. Every change of one wakes the pods that project it.
import { CONFIG_MAPS, SECRETS, type KubeObject, type ResourceInfo } from '@skiff/api';
import { Informer, isNotFound, type RestClient } from '@skiff/client';
import type { ObjectGetter } from './manager.ts';


export type ObjectKind = 'configMap' | 'secret';

export class ProjectedObjects implements ObjectGetter {
  private readonly client: RestClient;
  private readonly onChange: (kind: ObjectKind, namespace: string, name: string) => void;
  private readonly log: (message: string) => void;
  private informers?: Record<ObjectKind, Informer<KubeObject>>;

  constructor(o: { client: RestClient; onChange: (kind: ObjectKind, namespace: string, name: string) => void; log: (message: string) => void }) {
    this.client = o.client;
    this.onChange = o.onChange;
    this.log = o.log;
  }

  /** Starts watching ConfigMaps and Secrets (once). */
  start(): void {
    if (this.informers) return;
    const make = (kind: ObjectKind, r: ResourceInfo) => {
      const inf = new Informer<KubeObject>(this.client, r, { onError: (err, ctx) => this.log(`${r.plural} watch (${ctx}): ${(err as Error).message}`) });
      const changed = (o: KubeObject) => this.onChange(kind, o.metadata.namespace ?? '', o.metadata.name ?? '');
      inf.addEventHandler({ onAdd: changed, onUpdate: (_old, o) => changed(o), onDelete: changed });
      inf.start();
      return inf;
    };
    this.informers = { configMap: make('configMap', CONFIG_MAPS), secret: make('secret', SECRETS) };
  }

  stop(): void {
    this.informers?.configMap.stop();
    this.informers?.secret.stop();
  }

  configMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.get('configMap', CONFIG_MAPS, namespace, name);
  }

  secret(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.get('secret', SECRETS, namespace, name);
  }

  private async get(kind: ObjectKind, r: ResourceInfo, namespace: string, name: string): Promise<KubeObject | undefined> {
    this.start();
    const inf = this.informers![kind];
    if (inf.hasSynced()) return inf.store.get(`${namespace}/${name}`);
    try {
      return await this.client.get(r, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
