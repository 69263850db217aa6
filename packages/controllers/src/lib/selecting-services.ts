// Pod events to the Services that select the pod: what the Endpoints and EndpointSlice controllers
// reconcile when a pod comes, changes or goes. A label change also wakes the Services that
// selected the pod before it.
import { labelSelectorMatches, type KubeObject } from '@skiff/api';
import { keyOf, type EventHandlers, type Informer } from '@skiff/client';
import { BY_NAMESPACE } from './indexes.ts';

/** Handlers for a pod informer that enqueue the key of every Service (indexed by namespace) selecting the pod. */
export function enqueueSelectingServices(services: Informer<KubeObject>, enqueue: (key: string) => void): EventHandlers<KubeObject> {
  const wake = (pod: KubeObject) => {
    if (!pod.metadata.namespace) return;
    for (const s of services.store.byIndex(BY_NAMESPACE, pod.metadata.namespace)) {
      if (s.spec?.selector && Object.keys(s.spec.selector).length > 0 && labelSelectorMatches(s.spec.selector, pod.metadata.labels)) enqueue(keyOf(s));
    }
  };
  return {
    onAdd: wake,
    onUpdate: (old, pod) => {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      wake(pod);
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) wake(old);
    },
    onDelete: wake,
  };
}
