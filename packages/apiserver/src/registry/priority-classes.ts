// PriorityClasses in the API server, as kube-apiserver has them: the system classes exist from
// the start, and the Priority admission plugin resolves a pod's priorityClassName (or the global
// default class) into spec.priority and spec.preemptionPolicy, and keeps a second class from
// becoming the global default. Pods are admitted from an in-memory view kept current by a
// storage watch (kube-apiserver reads an informer's lister), so a pod create costs no extra read
// unless it names a class the view has not seen yet.
import { DEFAULT_POD_PRIORITY, formatTime, PREEMPT_LOWER_PRIORITY, PRIORITY_CLASSES, SYSTEM_PRIORITY_CLASSES, type KubeObject } from '@skiff/api';
import { forbidden } from '../errors/status.ts';
import type { Storage } from '../storage/types.ts';
import { StorageError } from '../storage/types.ts';
import { WatchCache } from '../storage/watch-cache.ts';

const KEY = `${PRIORITY_CLASSES.group}/${PRIORITY_CLASSES.plural}`;
const PODS_REF = { plural: 'pods', group: '', kind: 'Pod' };
const CLASSES_REF = { plural: PRIORITY_CLASSES.plural, group: PRIORITY_CLASSES.group, kind: PRIORITY_CLASSES.kind };

export class PriorityClasses {
  private readonly storage: Storage;
  private readonly view: WatchCache;

  constructor(storage: Storage, log: (msg: string, err?: unknown) => void) {
    this.storage = storage;
    this.view = new WatchCache({ storage, resource: KEY, log });
  }

  /** Creates the system classes if missing and loads the view. */
  async start(): Promise<void> {
    for (const c of SYSTEM_PRIORITY_CLASSES) {
      if (await this.storage.get({ resource: KEY, namespace: '', name: c.name })) continue;
      const pc: KubeObject = {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name: c.name, uid: crypto.randomUUID(), creationTimestamp: formatTime() },
        value: c.value,
        description: c.description,
        preemptionPolicy: PREEMPT_LOWER_PRIORITY,
      };
      try {
        await this.storage.create({ resource: KEY, namespace: '', name: c.name }, pc);
      } catch (e) {
        // Another API server sharing the storage made it first.
        if (!(e instanceof StorageError && e.code === 'AlreadyExists')) throw e;
      }
    }
    await this.view.start();
  }

  close(): void {
    this.view.close();
  }

  /** Priority admission for a pod being created: fills spec.priority and spec.preemptionPolicy. */
  async admitPod(pod: KubeObject): Promise<void> {
    const spec = (pod.spec ??= {});
    const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
    let priority = DEFAULT_POD_PRIORITY;
    let policy: string = PREEMPT_LOWER_PRIORITY;
    const className: string | undefined = spec.priorityClassName || undefined;
    const pc = className ? await this.lookup(className) : this.globalDefault();
    if (className && !pc) throw forbidden(PODS_REF, name, `no PriorityClass with name ${className} was found`);
    if (pc) {
      spec.priorityClassName = pc.metadata.name;
      priority = pc.value as number;
      policy = (pc.preemptionPolicy as string | undefined) ?? PREEMPT_LOWER_PRIORITY;
    }
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
      throw forbidden(PODS_REF, name, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
    }
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
      throw forbidden(PODS_REF, name, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.priority = priority;
    spec.preemptionPolicy = policy;
  }

  /** A class may become the global default only while no other class is (read from the store). */
  async admitClass(pc: KubeObject): Promise<void> {
    if (pc.globalDefault !== true) return;
    this.refuseSecondDefault(pc, (await this.storage.list(KEY)).items);
  }

  /** The same for an update (from the view: an update path reads nothing else). */
  admitClassUpdate(pc: KubeObject): void {
    if (pc.globalDefault === true) this.refuseSecondDefault(pc, [...this.view.values()]);
  }

  private refuseSecondDefault(pc: KubeObject, classes: KubeObject[]): void {
    const other = classes.find((c) => c.globalDefault === true && c.metadata.name !== pc.metadata.name);
    if (other) throw forbidden(CLASSES_REF, pc.metadata.name ?? '', `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
  }

  /** The global default class; of several (written through several servers at once), the lowest value, as Kubernetes picks. */
  private globalDefault(): KubeObject | undefined {
    let best: KubeObject | undefined;
    for (const c of this.view.values()) if (c.globalDefault === true && (!best || (c.value as number) < (best.value as number))) best = c;
    return best;
  }

  private async lookup(name: string): Promise<KubeObject | undefined> {
    // A class created a moment ago may not have reached the view yet: read it.
    return this.view.get('', name) ?? (await this.storage.get({ resource: KEY, namespace: '', name })) ?? undefined;
  }
}
