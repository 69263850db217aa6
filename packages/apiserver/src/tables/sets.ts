// DaemonSets, StatefulSets and ControllerRevisions, with kubectl's columns
// (pkg/printers/internalversion/printers.go: printDaemonSet, printStatefulSet, printControllerRevision).
import { getControllerOf, type LabelSelector } from '@skiff/api';
import { ageSince } from './duration.ts';
import { containerCells, formatLabelSelector, formatLabels } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

const CONTAINERS = column('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
const IMAGES = column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 });

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    column('Ready', 'integer', 'Total number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', 'A label query over pods that are managed by the daemon set.', { priority: 1 }),
  ],
  cells(ds, now) {
    const s = ds.status ?? {};
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata.name ?? '',
      s.desiredNumberScheduled ?? 0,
      s.currentNumberScheduled ?? 0,
      s.numberReady ?? 0,
      s.updatedNumberScheduled ?? 0,
      s.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageSince(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector as LabelSelector | undefined),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [NAME_COLUMN, column('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS, IMAGES],
  cells(sts, now) {
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    return [sts.metadata.name ?? '', `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`, ageSince(sts.metadata.creationTimestamp, now), names, images];
  },
};

export const controllerRevisionPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'),
    AGE_COLUMN,
  ],
  cells(cr, now) {
    const ref = getControllerOf(cr);
    // formatResourceName(GroupKind, name, withKind): `daemonset.apps/NAME`.
    const controller = ref ? `${ref.kind.toLowerCase()}${ref.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0]}` : ''}/${ref.name}` : '<none>';
    return [cr.metadata.name ?? '', controller, Number(cr.revision ?? 0), ageSince(cr.metadata.creationTimestamp, now)];
  },
};
