// Pure: the iptables-restore input that turns the rules in place (`prev`) into `next`, touching
// only what changed, as kube-proxy's partial syncs do: a chain whose rules are unchanged is not
// written; a changed or new chain is declared (which, with --noflush, empties it) and refilled;
// a chain that is gone is emptied and deleted after the chains that jumped to it are rewritten.
// Everything in one input, applied by the kernel in one transaction.
import { parseSave, type Chains, type Ruleset, type SavedTable } from '../../iptables/cluster-chains.ts';
import { isProxyChain } from './rules.ts';

const sameRules = (a: string[] | undefined, b: string[] | undefined) => !!a && !!b && a.length === b.length && a.every((r, i) => r === b[i]);

function tableRestore(name: string, prev: Chains, next: Chains): string[] {
  const changed = [...next.keys()].filter((c) => !sameRules(prev.get(c), next.get(c)));
  const gone = [...prev.keys()].filter((c) => !next.has(c));
  if (changed.length === 0 && gone.length === 0) return [];
  const lines = [`*${name}`];
  for (const c of [...changed, ...gone]) lines.push(`:${c} - [0:0]`);
  for (const c of changed) for (const r of next.get(c)!) lines.push(`-A ${c} ${r}`);
  for (const c of gone) lines.push(`-X ${c}`);
  lines.push('COMMIT');
  return lines;
}

/** The restore input, or '' when nothing changed. */
export function computeRestore(prev: Ruleset, next: Ruleset): string {
  const lines = [...tableRestore('nat', prev.nat, next.nat), ...tableRestore('filter', prev.filter, next.filter)];
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * The proxy chains of one cluster (by its chain prefix) that `iptables-save` shows, left by an
 * earlier run of the agent, as a ruleset whose rules are unknown: the first sync then rewrites or
 * deletes every one of them. Other clusters' chains and the pod network's are not touched.
 */
export function parseSavedChains(save: string, prefix: string): Ruleset {
  const saved = parseSave(save);
  const pick = (t: SavedTable): Chains => new Map([...t.chains].filter((c) => isProxyChain(prefix, c)).map((c) => [c, ['<unknown>']]));
  return { nat: pick(saved.nat), filter: pick(saved.filter) };
}
