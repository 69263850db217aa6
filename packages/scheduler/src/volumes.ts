// What the VolumeBinding plugin reads about storage: claims, volumes and classes from informers,
// plus the nodes this scheduler has chosen for unbound claims that the API has not shown yet (so
// that two pods of one claim scheduled back to back go to the same node).

import type { KubeObject } from '@skiff/api';
import type { ReadonlyStore } from '@skiff/client';

export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

export interface VolumeLister {
  claim(namespace: string, name: string): KubeObject | undefined;
  volume(name: string): KubeObject | undefined;
  storageClass(name: string): KubeObject | undefined;
  /** The node an unbound claim is promised to (its annotation, or this scheduler's choice). */
  selectedNode(namespace: string, name: string): string | undefined;
  /** Keys (`namespace/name`) of the bound or assumed pods that use the claim. */
  claimUsers(namespace: string, name: string): string[];
}

export class VolumeState implements VolumeLister {
  private readonly stores: { claims: ReadonlyStore<KubeObject>; volumes: ReadonlyStore<KubeObject>; classes: ReadonlyStore<KubeObject> };
  private readonly users: (namespace: string, name: string) => string[];
  private readonly assumed = new Map<string, string>();

  constructor(o: { claims: ReadonlyStore<KubeObject>; volumes: ReadonlyStore<KubeObject>; classes: ReadonlyStore<KubeObject>; claimUsers: (namespace: string, name: string) => string[] }) {
    this.stores = o;
    this.users = o.claimUsers;
  }

  claim(namespace: string, name: string) {
    return this.stores.claims.get(`${namespace}/${name}`);
  }

  volume(name: string) {
    return this.stores.volumes.get(name);
  }

  storageClass(name: string) {
    return this.stores.classes.get(name);
  }

  selectedNode(namespace: string, name: string) {
    return this.claim(namespace, name)?.metadata.annotations?.[SELECTED_NODE_ANNOTATION] ?? this.assumed.get(`${namespace}/${name}`);
  }

  claimUsers(namespace: string, name: string) {
    return this.users(namespace, name);
  }

  /** The claims of a pod placed on `node` that still need the node written into them. */
  claimsToSelect(pod: { metadata: { namespace?: string }; spec?: unknown }, node: string): string[] {
    const ns = pod.metadata.namespace ?? 'default';
    const names = (((pod.spec as { volumes?: unknown[] } | undefined)?.volumes ?? []) as { persistentVolumeClaim?: { claimName: string } }[]).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
    const out: string[] = [];
    for (const n of names) {
      const c = this.claim(ns, n);
      if (!c || c.spec?.volumeName || c.metadata.annotations?.[SELECTED_NODE_ANNOTATION]) continue;
      this.assumed.set(`${ns}/${n}`, node);
      out.push(n);
    }
    return out;
  }

  forget(namespace: string, name: string): void {
    this.assumed.delete(`${namespace}/${name}`);
  }
}
