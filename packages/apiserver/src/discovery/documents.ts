// The discovery documents, built once from the resource registry (the stored resources and the
// create-only review APIs): the legacy forms (APIVersions, APIGroupList, APIGroup,
// APIResourceList) and the aggregated apidiscovery.k8s.io/v2 form that kubectl 1.32 asks for first.
import { apiGroups, apiVersionOf, RESOURCES, REVIEW_RESOURCES } from '@skiff/api';
import type { ResourceInfo } from '@skiff/api';
import { subresourceInfo } from './subresources.ts';

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind: 'APIGroup';
  apiVersion: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

export interface DiscoveryDocuments {
  /** Core versions, for `GET /api` (APIVersions without serverAddressByClientCIDRs). */
  coreVersions: string[];
  groupList: { kind: 'APIGroupList'; apiVersion: 'v1'; groups: Omit<APIGroup, 'kind' | 'apiVersion'>[] };
  /** By group name, for `GET /apis/{group}`. */
  groups: Map<string, APIGroup>;
  /** By group-version (`v1`, `apps/v1`), for `GET /api/v1` and `GET /apis/{group}/{version}`. */
  resourceLists: Map<string, APIResourceList>;
  /** APIGroupDiscoveryList for `GET /api` (the core group only). */
  aggregatedCore: object;
  /** APIGroupDiscoveryList for `GET /apis` (every named group). */
  aggregatedApis: object;
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

function apiResources(resources: ResourceInfo[]): APIResource[] {
  const out: APIResource[] = [];
  for (const r of resources) {
    const entry: APIResource = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.scope === 'Namespaced',
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    out.push(entry);
    for (const sub of r.subresources) {
      const info = subresourceInfo(r, sub);
      const subEntry: APIResource = { name: `${r.plural}/${sub}`, singularName: '', namespaced: entry.namespaced, kind: info.responseKind.kind, verbs: info.verbs };
      // Only a response kind from another group-version is spelled out (deployments/scale -> autoscaling/v1).
      if (info.responseKind.group !== r.group || info.responseKind.version !== r.version) {
        subEntry.group = info.responseKind.group;
        subEntry.version = info.responseKind.version;
      }
      out.push(subEntry);
    }
  }
  return out;
}

function aggregatedResource(r: ResourceInfo): object {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.scope,
    singularResource: r.singular,
    verbs: r.verbs,
    shortNames: nonEmpty(r.shortNames),
    categories: nonEmpty(r.categories),
    subresources: nonEmpty(
      r.subresources.map((sub) => {
        const info = subresourceInfo(r, sub);
        return { subresource: sub, responseKind: info.responseKind, verbs: info.verbs };
      }),
    ),
  };
}

function aggregatedList(groups: { group: string; version: string; resources: ResourceInfo[] }[]): object {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: g.group === '' ? {} : { name: g.group },
      versions: [{ version: g.version, resources: g.resources.map(aggregatedResource), freshness: 'Current' }],
    })),
  };
}

/** Builds every discovery document; `groups` defaults to the registry's, the review APIs included. */
export function buildDiscovery(groups = apiGroups([...RESOURCES, ...REVIEW_RESOURCES])): DiscoveryDocuments {
  const core = groups.filter((g) => g.group === '');
  const named = groups.filter((g) => g.group !== '');

  const groupDocs = new Map<string, APIGroup>();
  for (const g of named) {
    const gv = { groupVersion: apiVersionOf(g), version: g.version };
    groupDocs.set(g.group, { kind: 'APIGroup', apiVersion: 'v1', name: g.group, versions: [gv], preferredVersion: gv });
  }

  const resourceLists = new Map<string, APIResourceList>();
  for (const g of groups) {
    const groupVersion = apiVersionOf(g);
    resourceLists.set(groupVersion, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: apiResources(g.resources) });
  }

  return {
    coreVersions: core.map((g) => g.version),
    groupList: {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groupDocs.values()].map(({ name, versions, preferredVersion }) => ({ name, versions, preferredVersion })),
    },
    groups: groupDocs,
    resourceLists,
    aggregatedCore: aggregatedList(core),
    aggregatedApis: aggregatedList(named),
  };
}
