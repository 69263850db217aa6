// Nodes, Namespaces, Events and Leases.
import type { KubeObject } from '@skiff/api';
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` for a cordoned node. */
export function nodeStatus(node: KubeObject): string {
  const parts: string[] = [];
  const ready = (node.status?.conditions ?? []).filter((c: { type: string }) => c.type === 'Ready').at(-1);
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role=<role>`, sorted. */
export function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_LABEL_PREFIX)) {
      const role = k.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort().join(',') || '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = (node.status?.addresses ?? []).find((x: { type: string }) => x.type === type);
  return a?.address ?? '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
    column('External-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
    column('OS-Image', 'string', 'OS Image reported by the node.', { priority: 1 }),
    column('Kernel-Version', 'string', 'Kernel Version reported by the node.', { priority: 1 }),
    column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node.', { priority: 1 }),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      ageSince(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  cells(ns, now) {
    // The API defaults phase to Active; an object stored before defaulting prints the same.
    return [ns.metadata.name ?? '', ns.status?.phase ?? 'Active', ageSince(ns.metadata.creationTimestamp, now)];
  },
};

function eventSource(ev: KubeObject): string {
  const source = (ev.source ?? {}) as { component?: string; host?: string };
  const component = source.component || (ev.reportingComponent as string) || '';
  const instance = source.host || (ev.reportingInstance as string) || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', 'The field of the object the event is about, e.g. spec.containers{web}.', { priority: 1 }),
    column('Source', 'string', 'The component reporting this event.', { priority: 1 }),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time at which the event was first recorded.', { priority: 1 }),
    column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
    column('Name', 'string', 'Name must be unique within a namespace.', { priority: 1, format: 'name' }),
  ],
  cells(ev, now) {
    const first = ev.firstTimestamp
      ? ageSince(ev.firstTimestamp as string, now)
      : ageSince(ev.eventTime as string | undefined, now);
    let last = ev.lastTimestamp ? ageSince(ev.lastTimestamp as string, now) : first;
    const series = ev.series as { count?: number; lastObservedTime?: string } | undefined;
    let count = (ev.count as number | undefined) ?? 0;
    if (series) {
      last = ageSince(series.lastObservedTime, now);
      count = series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the events.k8s.io API carry no count.
      count = 1;
    }
    const involved = (ev.involvedObject ?? {}) as { kind?: string; name?: string; fieldPath?: string };
    const kind = (involved.kind ?? '').toLowerCase();
    const target = involved.name ? `${kind}/${involved.name}` : kind;
    return [
      last,
      (ev.type as string) ?? '',
      (ev.reason as string) ?? '',
      target,
      involved.fieldPath ?? '',
      eventSource(ev),
      ((ev.message as string) ?? '').trim(),
      first,
      count,
      ev.metadata.name ?? '',
    ];
  },
};

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, column('Holder', 'string', 'The identity of the current holder of the lease.'), AGE_COLUMN],
  cells(lease, now) {
    return [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', ageSince(lease.metadata.creationTimestamp, now)];
  },
};
