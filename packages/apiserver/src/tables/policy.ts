// PodDisruptionBudgets (printers.go printPodDisruptionBudget), with the columns of Kubernetes 1.32.
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Min Available', 'string', 'The minimum number or percentage of available pods this budget requires.'),
    column('Max Unavailable', 'string', 'The maximum number or percentage of unavailable pods this budget requires.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  cells: (pdb, now) => [
    pdb.metadata.name ?? '',
    pdb.spec?.minAvailable === undefined || pdb.spec?.minAvailable === null ? 'N/A' : String(pdb.spec.minAvailable),
    pdb.spec?.maxUnavailable === undefined || pdb.spec?.maxUnavailable === null ? 'N/A' : String(pdb.spec.maxUnavailable),
    Number(pdb.status?.disruptionsAllowed ?? 0),
    ageSince(pdb.metadata.creationTimestamp, now),
  ],
};
