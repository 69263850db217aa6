// Which schema describes which kind. Keyed by `apiVersion/kind`, the same key resources.ts
// uses, so a ResourceInfo finds its schema without either file knowing the other's internals.

import type { z } from 'zod';
import { apiVersionOf, type ResourceInfo } from '../resources.ts';
import { DeploymentListSchema, DeploymentSchema, LeaseListSchema, LeaseSchema, ReplicaSetListSchema, ReplicaSetSchema, ScaleSchema } from './apps.ts';
import {
  BindingSchema,
  EndpointsListSchema,
  EndpointsSchema,
  EventListSchema,
  EventSchema,
  NamespaceListSchema,
  NamespaceSchema,
  NodeListSchema,
  NodeSchema,
  ReplicationControllerListSchema,
  ReplicationControllerSchema,
  ServiceListSchema,
  ServiceSchema,
} from './core.ts';
import { DeleteOptionsSchema, StatusSchema, TableSchema } from './meta.ts';
import { PodListSchema, PodSchema } from './pod.ts';

export type KindSchema = z.ZodType;

const KINDS: Record<string, { schema: KindSchema; list?: KindSchema }> = {
  'v1/Namespace': { schema: NamespaceSchema, list: NamespaceListSchema },
  'v1/Pod': { schema: PodSchema, list: PodListSchema },
  'v1/Service': { schema: ServiceSchema, list: ServiceListSchema },
  'v1/Endpoints': { schema: EndpointsSchema, list: EndpointsListSchema },
  'v1/Node': { schema: NodeSchema, list: NodeListSchema },
  'v1/Event': { schema: EventSchema, list: EventListSchema },
  'v1/ReplicationController': { schema: ReplicationControllerSchema, list: ReplicationControllerListSchema },
  'apps/v1/Deployment': { schema: DeploymentSchema, list: DeploymentListSchema },
  'apps/v1/ReplicaSet': { schema: ReplicaSetSchema, list: ReplicaSetListSchema },
  'coordination.k8s.io/v1/Lease': { schema: LeaseSchema, list: LeaseListSchema },
  // Not resources of their own, but bodies the server decodes or returns.
  'v1/Binding': { schema: BindingSchema },
  'autoscaling/v1/Scale': { schema: ScaleSchema },
  'v1/DeleteOptions': { schema: DeleteOptionsSchema },
  'meta.k8s.io/v1/DeleteOptions': { schema: DeleteOptionsSchema },
  'v1/Status': { schema: StatusSchema },
  'meta.k8s.io/v1/Table': { schema: TableSchema },
};

function keyOf(r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): string {
  return `${apiVersionOf(r)}/${r.kind}`;
}

/** The zod schema of a kind (resources.ts entries, plus Binding, Scale, DeleteOptions, Status, Table). */
export function schemaFor(r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): KindSchema | undefined {
  return KINDS[keyOf(r)]?.schema;
}

export function listSchemaFor(r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): KindSchema | undefined {
  return KINDS[keyOf(r)]?.list;
}

/** Every schema, top-level kinds first; the OpenAPI builder walks references from these. */
export function allKindSchemas(): KindSchema[] {
  return Object.values(KINDS).flatMap((k) => (k.list ? [k.schema, k.list] : [k.schema]));
}

/** Stand-in ResourceInfo-like keys for the non-resource kinds above. */
export const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' } as const;
export const BINDING_KIND = { group: '', version: 'v1', kind: 'Binding' } as const;
export const DELETE_OPTIONS_KIND = { group: '', version: 'v1', kind: 'DeleteOptions' } as const;
