// Server-side printing: a list of objects as a meta.k8s.io/v1 Table, as `kubectl get` asks for it.
import type { KubeObject, ResourceInfo } from '@skiff/api';
import { ageSince } from './duration.ts';
import { eventPrinter, leasePrinter, namespacePrinter, nodePrinter } from './cluster.ts';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './network.ts';
import { podPrinter } from './pods.ts';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './config.ts';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.ts';
import { priorityClassPrinter } from './scheduling.ts';
import { AGE_COLUMN, NAME_COLUMN } from './types.ts';
import type { Cell, ColumnDefinition, Printer, RowCondition } from './types.ts';
import { controllerRevisionPrinter, daemonSetPrinter, statefulSetPrinter } from './sets.ts';
import { deploymentPrinter, replicaSetPrinter, replicationControllerPrinter } from './workloads.ts';
import { cronJobPrinter, jobPrinter } from './batch.ts';
import { podDisruptionBudgetPrinter } from './policy.ts';
import { ingressPrinter } from './networking.ts';
import { roleBindingPrinter, rolePrinter } from './rbac.ts';
import { certificateSigningRequestPrinter } from './certificates.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** What each row carries in `object`; Kubernetes' default is Metadata. */
  includeObject?: IncludeObject;
  /** The list's resourceVersion (or the single object's). */
  resourceVersion?: string;
  continue?: string;
  /** Milliseconds since the epoch that ages are computed against; defaults to Date.now(). */
  now?: number;
}

export interface TableRow {
  cells: Cell[];
  conditions?: RowCondition[];
  object?: Record<string, unknown>;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

const PRINTERS: Record<string, Printer> = {
  '/pods': podPrinter,
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  'discovery.k8s.io/endpointslices': endpointSlicePrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/events': eventPrinter,
  '/replicationcontrollers': replicationControllerPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'coordination.k8s.io/leases': leasePrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/persistentvolumeclaims': persistentVolumeClaimPrinter,
  '/persistentvolumes': persistentVolumePrinter,
  'storage.k8s.io/storageclasses': storageClassPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/controllerrevisions': controllerRevisionPrinter,
  'scheduling.k8s.io/priorityclasses': priorityClassPrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
  'policy/poddisruptionbudgets': podDisruptionBudgetPrinter,
  'networking.k8s.io/ingresses': ingressPrinter,
  'rbac.authorization.k8s.io/roles': rolePrinter,
  'rbac.authorization.k8s.io/clusterroles': rolePrinter,
  'rbac.authorization.k8s.io/rolebindings': roleBindingPrinter,
  'rbac.authorization.k8s.io/clusterrolebindings': roleBindingPrinter,
  'certificates.k8s.io/certificatesigningrequests': certificateSigningRequestPrinter,
};

/** What the API server prints for a resource without a dedicated printer: NAME and AGE. */
const DEFAULT_PRINTER: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (obj, now) => [obj.metadata.name ?? '', ageSince(obj.metadata.creationTimestamp, now)],
};

export function printerFor(resource: Pick<ResourceInfo, 'group' | 'plural'>): Printer {
  return PRINTERS[`${resource.group}/${resource.plural}`] ?? DEFAULT_PRINTER;
}

/** The column definitions for a resource (all priorities; kubectl hides priority 1 unless -o wide). */
export function columnsFor(resource: Pick<ResourceInfo, 'group' | 'plural'>): ColumnDefinition[] {
  return printerFor(resource).columns;
}

function rowObject(obj: KubeObject, include: IncludeObject): Record<string, unknown> | undefined {
  switch (include) {
    case 'None':
      return undefined;
    case 'Object':
      return obj;
    default:
      // PartialObjectMetadata: kubectl reads namespace, labels and the sort keys from it.
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

export function toTable(resource: ResourceInfo, objects: KubeObject[], opts: TableOptions = {}): Table {
  const printer = printerFor(resource);
  const now = opts.now ?? Date.now();
  const include = opts.includeObject ?? 'Metadata';
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  const rows = objects.map((obj) => {
    const row: TableRow = { cells: printer.cells(obj, now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    const object = rowObject(obj, include);
    if (object) row.object = object;
    return row;
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: printer.columns, rows };
}

/** Parses the `includeObject` query parameter; undefined for an invalid value. */
export function parseIncludeObject(value: unknown): IncludeObject | undefined {
  if (value === undefined || value === '') return 'Metadata';
  return value === 'None' || value === 'Metadata' || value === 'Object' ? value : undefined;
}


