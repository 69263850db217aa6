// Secondary indexes the controllers put on shared informers (one function each, so that two
// controllers asking for the same index share it).
import type { KubeObject } from '@skiff/api';

export const BY_OWNER = 'controllers.byOwnerUid';
export const BY_NAMESPACE = 'controllers.byNamespace';
export const BY_NODE = 'controllers.byNodeName';
export const ORPHANS_BY_NAMESPACE = 'controllers.orphansByNamespace';

const byOwner = (o: KubeObject): string[] => (o.metadata.ownerReferences ?? []).map((r) => r.uid);
const byNamespace = (o: KubeObject): string[] => (o.metadata.namespace ? [o.metadata.namespace] : []);
const byNode = (o: KubeObject): string[] => (o.spec?.nodeName ? [String(o.spec.nodeName)] : []);

const orphansByNamespace = (o: KubeObject): string[] =>
  o.metadata.namespace && !(o.metadata.ownerReferences ?? []).some((r) => r.controller) ? [o.metadata.namespace] : [];

export const OWNER_INDEX = { [BY_OWNER]: byOwner };
/** Objects without a controller, by namespace: the candidates for adoption. */
export const ORPHAN_INDEX = { [ORPHANS_BY_NAMESPACE]: orphansByNamespace };
export const NAMESPACE_INDEX = { [BY_NAMESPACE]: byNamespace };
export const NODE_INDEX = { [BY_NODE]: byNode };
