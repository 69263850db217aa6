// Events, as `kubectl describe` shows them: core/v1 Events naming the involved object. Recording
// never blocks or fails a reconcile; a failed write is only reported.
import type { KubeObject } from '@skiff/api';
import type { RestClient } from '@skiff/client';

export interface EventRecorder {
  normal(obj: KubeObject, reason: string, message: string): void;
  warning(obj: KubeObject, reason: string, message: string): void;
}

let seq = 0;

export function createEventRecorder(client: RestClient, component: string, onError: (err: unknown) => void = () => {}): EventRecorder {
  const record = (obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const namespace = obj.metadata.namespace ?? 'default';
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${Date.now().toString(16)}${(seq++ % 0xfff).toString(16).padStart(3, '0')}`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component },
      reportingComponent: component,
      reportingInstance: component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    client.createEvent(event).catch(onError);
  };
  return {
    normal: (obj, reason, message) => record(obj, 'Normal', reason, message),
    warning: (obj, reason, message) => record(obj, 'Warning', reason, message),
  };
}
