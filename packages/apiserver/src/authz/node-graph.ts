// The Node authorizer's graph (plugin/pkg/auth/authorizer/node/graph.go), as an index fed by a
// watch of every pod: for each Secret, ConfigMap, PersistentVolumeClaim and ServiceAccount, the
// nodes whose bound pods use it (with a count, so a node keeps access while any of its pods
// uses it). A check is two map lookups; a pod event touches only that pod's edges. Pods are not
// kept, only their edges. PersistentVolumes come from a second watch (./volume-index.ts): a
// volume is a node's when it is bound to a claim one of the node's pods uses (pv -> pvc -> pod
// -> node), or pinned to the node (its own storage, which it provisions and reclaims).
import { podObjects, PODS, type KubeObject } from '@skiff/api';
import type { Storage, StorageEvent } from '../storage/types.ts';
import { storageKeyOf } from '../registry/strategy.ts';
import { WatchCache } from '../storage/watch-cache.ts';
import { VolumeIndex } from './volume-index.ts';

export type GraphKind = 'secret' | 'configmap' | 'pvc' | 'serviceaccount' | 'pv';

interface PodEdges {
  node: string;
  keys: string[];
}

function splitKey(nsName: string): [string, string] {
  const i = nsName.indexOf('/');
  return [nsName.slice(0, i), nsName.slice(i + 1)];
}

function edgesOf(pod: KubeObject): PodEdges | undefined {
  const node = pod.spec?.nodeName;
  if (!node) return undefined;
  const ns = pod.metadata.namespace ?? '';
  const o = podObjects(pod);
  const keys: string[] = [`serviceaccount/${ns}/${o.serviceAccount}`];
  for (const s of o.secrets) keys.push(`secret/${ns}/${s}`);
  for (const c of o.configMaps) keys.push(`configmap/${ns}/${c}`);
  for (const c of o.claims) keys.push(`pvc/${ns}/${c}`);
  return { node, keys };
}

/**
 * A pod event the graph has nothing to do with: the pod is bound to no node, now or before (a
 * pod's nodeName is never unset), so it has no edges to add or remove. Told from the stored JSON
 * text without parsing it: every pod the scheduler has not bound yet (each create, each
 * Unschedulable condition) would otherwise cost the API server a JSON.parse here. Stored text is
 * the server's own JSON.stringify: it writes the key as "nodeName" and escapes every quote inside
 * a string, so a pod with a node always has `"nodeName"` in its text (a string value that is
 * exactly that word costs a parse, nothing more). An event without text is never passed over.
 */
export function unboundPodEvent(e: StorageEvent): boolean {
  return e.raw !== undefined && !e.raw.includes('"nodeName"');
}

export class NodeGraph {
  /** `kind/ns/name` -> node -> how many of that node's pods use it. */
  private readonly users = new Map<string, Map<string, number>>();
  /** `ns/name` of each bound pod -> its edges. */
  private readonly pods = new Map<string, PodEdges>();
  private readonly cache: WatchCache;
  private readonly volumes: VolumeIndex;

  constructor(storage: Storage, log: (msg: string, err?: unknown) => void) {
    this.volumes = new VolumeIndex(storage, log);
    this.cache = new WatchCache({
      storage,
      resource: storageKeyOf(PODS),
      keep: false,
      passOver: unboundPodEvent,
      handlers: {
        upsert: (pod) => this.setPod(pod),
        delete: (pod) => this.removePod(`${pod.metadata.namespace}/${pod.metadata.name}`),
        reset: () => {
          this.users.clear();
          this.pods.clear();
        },
      },
      log,
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.cache.start(), this.volumes.start()]);
  }

  close(): void {
    this.cache.close();
    this.volumes.close();
  }

  /** Whether a pod bound to `node` uses the object (a volume: through its claim, or pinned to the node). */
  uses(node: string, kind: GraphKind, namespace: string, name: string): boolean {
    if (kind === 'pv') {
      const v = this.volumes.get(name);
      return !!v && (v.pinned === node || (v.claim !== undefined && this.uses(node, 'pvc', ...splitKey(v.claim))));
    }
    return this.users.get(`${kind}/${namespace}/${name}`)?.has(node) ?? false;
  }

  /** The node a pod is bound to, as last seen. */
  nodeOf(namespace: string, name: string): string | undefined {
    return this.pods.get(`${namespace}/${name}`)?.node;
  }

  private setPod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const edges = edgesOf(pod);
    const had = this.pods.get(key);
    if (had && edges && had.node === edges.node && had.keys.length === edges.keys.length && had.keys.every((k, i) => k === edges.keys[i])) return;
    this.removePod(key);
    if (!edges) return;
    this.pods.set(key, edges);
    for (const k of edges.keys) {
      let m = this.users.get(k);
      if (!m) this.users.set(k, (m = new Map()));
      m.set(edges.node, (m.get(edges.node) ?? 0) + 1);
    }
  }

  private removePod(key: string): void {
    const had = this.pods.get(key);
    if (!had) return;
    this.pods.delete(key);
    for (const k of had.keys) {
      const m = this.users.get(k);
      if (!m) continue;
      const n = (m.get(had.node) ?? 0) - 1;
      if (n > 0) m.set(had.node, n);
      else m.delete(had.node);
      if (m.size === 0) this.users.delete(k);
    }
  }
}
