// PriorityClasses (printers.go printPriorityClass), with the columns of Kubernetes 1.32.
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

export const priorityClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Value', 'integer', "value is the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
    column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    AGE_COLUMN,
    column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells: (pc, now) => [pc.metadata.name ?? '', Number(pc.value ?? 0), pc.globalDefault === true, ageSince(pc.metadata.creationTimestamp, now), String(pc.preemptionPolicy ?? '')],
};
