// Roles and bindings (printers.go printRole, printRoleBinding, ...), with the columns of Kubernetes 1.32.
import type { KubeObject, RbacV1Subject, RoleRef } from '@skiff/api';
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, column('Created At', 'date', 'Time when this Role was created')],
  cells: (role) => [role.metadata.name ?? '', role.metadata.creationTimestamp ?? ''],
};

function subjectsOf(b: KubeObject, kind: string): string {
  const subjects = (b.subjects ?? []) as RbacV1Subject[];
  return subjects
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
    .join(', ');
}

export const roleBindingPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Role', 'string', 'Role references a role in the current namespace or a ClusterRole.'),
    AGE_COLUMN,
    column('Users', 'string', 'Users in the binding.', { priority: 1 }),
    column('Groups', 'string', 'Groups in the binding.', { priority: 1 }),
    column('ServiceAccounts', 'string', 'ServiceAccounts in the binding.', { priority: 1 }),
  ],
  cells: (b, now) => [
    b.metadata.name ?? '',
    `${(b.roleRef as RoleRef | undefined)?.kind ?? ''}/${(b.roleRef as RoleRef | undefined)?.name ?? ''}`,
    ageSince(b.metadata.creationTimestamp, now),
    subjectsOf(b, 'User'),
    subjectsOf(b, 'Group'),
    subjectsOf(b, 'ServiceAccount'),
  ],
};
