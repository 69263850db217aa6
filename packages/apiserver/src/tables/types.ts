import type { KubeObject } from '@skiff/api';

/** meta.k8s.io/v1 TableColumnDefinition. */
export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0 = always shown; 1 = only with `kubectl get -o wide`. */
  priority: number;
}

export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export type Cell = string | number | boolean;

/** How one kind is printed: its columns, and one row's cells in column order. */
export interface Printer {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: number): Cell[];
  conditions?(obj: KubeObject): RowCondition[] | undefined;
}

export function column(
  name: string,
  type: ColumnDefinition['type'],
  description: string,
  extra: { format?: string; priority?: number } = {},
): ColumnDefinition {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

export const NAME_COLUMN = column('Name', 'string', 'Name must be unique within a namespace.', { format: 'name' });
export const AGE_COLUMN = column(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);
