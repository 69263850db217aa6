// ConfigMaps, Secrets and ServiceAccounts (printers.go printConfigMap, printSecret, printServiceAccount).
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

const count = (m: unknown): number => (m && typeof m === 'object' ? Object.keys(m).length : 0);

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column('Data', 'string', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."), AGE_COLUMN],
  cells: (cm, now) => [cm.metadata.name ?? '', count(cm.data) + count(cm.binaryData), ageSince(cm.metadata.creationTimestamp, now)],
};

export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'string', 'Data contains the secret data.'),
    AGE_COLUMN,
  ],
  cells: (s, now) => [s.metadata.name ?? '', String(s.type ?? ''), count(s.data), ageSince(s.metadata.creationTimestamp, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  cells: (sa, now) => [sa.metadata.name ?? '', Array.isArray(sa.secrets) ? sa.secrets.length : 0, ageSince(sa.metadata.creationTimestamp, now)],
};
