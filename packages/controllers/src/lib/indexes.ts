// Secondary indexes the controllers put on shared informers (one function each, so that two
// controllers asking for the same index share it).
import type { KubeObject } from '@skiff/api';

export const BY_OWNER = 'controllers.byOwnerUid';
export const BY_NAMESPACE = 'controllers.byNamespace';
export const BY_NODE = 'controllers.byNodeName';

const byOwner = (o: KubeObject): string[] => (o.metadata.ownerReferences ?? []).map((r) => r.uid);
const byNamespace = (o: KubeObject): string[] => (o.metadata.namespace ? [o.metadata.namespace] : []);
const byNode = (o: KubeObject): string[] => (o.spec?.nodeName ? [String(o.spec.nodeName)] : []);

export const OWNER_INDEX = { [BY_OWNER]: byOwner };
export const NAMESPACE_INDEX = { [BY_NAMESPACE]: byNamespace };
export const NODE_INDEX = { [BY_NODE]: byNode };
