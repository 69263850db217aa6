// The node a PersistentVolume is pinned to: its required node affinity names exactly one node by
// hostname in every term (`kubernetes.io/hostname In [NAME]`), as skiff's local provisioner writes
// it. Such a volume's storage is that node's: NodeRestriction lets only it create or delete the
// volume, and the Node authorizer lets it read the volume (ADR 0018). Pure.
import type { KubeObject } from '@skiff/api';

const HOSTNAME_LABEL = 'kubernetes.io/hostname';

interface Term {
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function pinnedNode(pv: KubeObject): string | undefined {
  const terms: Term[] = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  let node: string | undefined;
  for (const t of terms) {
    const e = (t.matchExpressions ?? []).find((x) => x.key === HOSTNAME_LABEL && x.operator === 'In' && x.values?.length === 1);
    if (!e) return undefined;
    if (node !== undefined && node !== e.values![0]) return undefined;
    node = e.values![0];
  }
  return node;
}
