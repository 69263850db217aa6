// Pure: the iptables-restore input that turns the rules in place (`prev`) into `next`, touching
// only what changed, as kube-proxy's partial syncs do: a chain whose rules are unchanged is not
// written; a changed or new chain is declared (which, with --noflush, empties it) and refilled;
// a chain that is gone is emptied and deleted after the chains that jumped to it are rewritten.
// Everything in one input, applied by the kernel in one transaction.
import type { Chains, Ruleset } from './rules.ts';

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

/** The pod network's chains (network/host-rules.ts) share the prefix but are not the proxy's. */
const NOT_OURS = 'SKIFF-POD-';

/**
 * The proxy's chains that `iptables-save` shows (left by an earlier run of the agent), as a
 * ruleset whose rules are unknown: the first sync then rewrites or deletes every one of them.
 */
export function parseSavedChains(save: string, prefix = 'SKIFF-'): Ruleset {
  const out: Ruleset = { nat: new Map(), filter: new Map() };
  let table: Chains | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line === '*nat' ? out.nat : line === '*filter' ? out.filter : undefined;
    else if (table && line.startsWith(`:${prefix}`) && !line.startsWith(`:${NOT_OURS}`)) table.set(line.slice(1).split(' ')[0], ['<unknown>']);
  }
  return out;
}
