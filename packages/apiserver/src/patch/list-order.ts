// The order of a merged list, following Kubernetes' strategic merge patch: items the patch names
// come in the order the patch (or its $setElementOrder directive) gives them; items only the
// server had keep their relative live order and are interleaved back near their old neighbours.
// Without server-only items the result is exactly the patch order, which is how
// `kubectl apply` reorders containers. A new item (one the live list lacks) leads the server-only
// items that follow it, as in Kubernetes: patching a container into [nginx] gives [redis, nginx].

import type { JsonValue } from './json.ts';

/** Identity of a list item: its merge key's value (or the value itself for a set), as text. */
export type ItemIdentity = (item: JsonValue) => string | undefined;

export function orderMergedList(
  merged: JsonValue[],
  order: JsonValue[],
  live: JsonValue[],
  identity: ItemIdentity,
): JsonValue[] {
  const orderIndex = firstIndexes(order, identity);
  const liveIndex = firstIndexes(live, identity);
  const at = (index: Map<string, number>, item: JsonValue) => {
    const id = identity(item);
    return id === undefined ? undefined : index.get(id);
  };

  const named = merged.filter((item) => at(orderIndex, item) !== undefined);
  named.sort((a, b) => (at(orderIndex, a) as number) - (at(orderIndex, b) as number)); // stable
  const serverOnly = merged.filter((item) => at(orderIndex, item) === undefined);

  // Interleave: a server-only item goes first only while the live list proves it came before
  // the next named item; otherwise named items lead.
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length && j < named.length) {
    const s = at(liveIndex, serverOnly[i]);
    const n = at(liveIndex, named[j]);
    if (s !== undefined && n !== undefined && s < n) out.push(serverOnly[i++]);
    else out.push(named[j++]);
  }
  return out.concat(serverOnly.slice(i), named.slice(j));
}

function firstIndexes(list: JsonValue[], identity: ItemIdentity): Map<string, number> {
  const index = new Map<string, number>();
  list.forEach((item, i) => {
    const id = identity(item);
    if (id !== undefined && !index.has(id)) index.set(id, i);
  });
  return index;
}
