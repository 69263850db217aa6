// Deployments, ReplicaSets and ReplicationControllers.
import { ageSince } from './duration.ts';
import { containerCells, formatLabelSelector, formatLabels, selectorString } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';
import type { LabelSelector } from '@skiff/api';

const CONTAINERS = column('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
const IMAGES = column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 });
const SELECTOR = column('Selector', 'string', 'Label query over pods that should match the replica count.', {
  priority: 1,
});

/** spec.replicas, defaulted to 1 as the API does. */
function desired(spec: { replicas?: number } | undefined): number {
  return spec?.replicas ?? 1;
}

export const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(d, now) {
    const status = d.status ?? {};
    let selector: string;
    try {
      selector = selectorString(d.spec?.selector);
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name ?? '',
      `${status.readyReplicas ?? 0}/${desired(d.spec)}`,
      status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0,
      ageSince(d.metadata.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};

function replicaColumns(selectorDescription: string) {
  return [
    NAME_COLUMN,
    column('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    { ...SELECTOR, description: selectorDescription },
  ];
}

/** ReplicaSets and ReplicationControllers print alike; only the selector's form differs. */
function replicaPrinter(selectorDescription: string, selectorCell: (selector: unknown) => string): Printer {
  return {
    columns: replicaColumns(selectorDescription),
    cells(o, now) {
      const [names, images] = containerCells(o.spec?.template?.spec?.containers);
      return [
        o.metadata.name ?? '',
        desired(o.spec),
        o.status?.replicas ?? 0,
        o.status?.readyReplicas ?? 0,
        ageSince(o.metadata.creationTimestamp, now),
        names,
        images,
        selectorCell(o.spec?.selector),
      ];
    },
  };
}

export const replicaSetPrinter = replicaPrinter('Selector is a label query over pods that should match the replica count.', (s) => formatLabelSelector(s as LabelSelector | undefined));
// A ReplicationController's selector is a plain label map.
export const replicationControllerPrinter = replicaPrinter('Selector is a label query over pods that should match the Replicas count.', (s) => formatLabels(s as Record<string, string> | undefined));
