// Pure: the `nft -f` input that turns the table in place (`prev`) into `next`, as one transaction
// (nft applies a whole input atomically). A full load (no `prev`: the first sync, or one after a
// failure) replaces the cluster's table whole, whatever an earlier run left in it. Afterwards only
// what changed is written: map elements added or removed, changed chains flushed and refilled,
// new chains and affinity sets added, chains and sets no longer referenced deleted last. No
// command here makes nft read the rules already in the kernel, so a change costs the same with
// 10 Services or 10,000.
import { MAPS, staticTable, type NftMap, type NftRuleset } from './rules.ts';

const sameRules = (a: string[] | undefined, b: string[] | undefined) => !!a && !!b && a.length === b.length && a.every((r, i) => r === b[i]);

const setDecl = (name: string, timeout: number) => `set ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`;

export function computeFullLoad(table: string, clusterCIDR: string, next: NftRuleset): string {
  const lines = [`table ip ${table}`, `delete table ip ${table}`, `table ip ${table} {`, staticTable(clusterCIDR)];
  for (const [name, timeout] of next.sets) lines.push(`  ${setDecl(name, timeout)}`);
  // Chains are declared before any rule refers to them.
  for (const name of next.chains.keys()) lines.push(`  chain ${name} { }`);
  lines.push('}');
  for (const [name, rules] of next.chains) for (const r of rules) lines.push(`add rule ip ${table} ${name} ${r}`);
  const slices = (what: string, elements: string[]) => {
    // In slices, so that no single line grows with the cluster.
    for (let i = 0; i < elements.length; i += 500) lines.push(`add element ip ${table} ${what} { ${elements.slice(i, i + 500).join(', ')} }`);
  };
  for (const map of Object.keys(MAPS) as NftMap[]) slices(map, [...next.maps[map]].map(([k, v]) => `${k} : ${v}`));
  slices('hairpin', [...next.hairpin]);
  return `${lines.join('\n')}\n`;
}

/** The incremental input, or '' when nothing changed. */
export function computeTransaction(table: string, prev: NftRuleset, next: NftRuleset): string {
  const lines: string[] = [];
  const t = `ip ${table}`;
  // Map elements that go or change go first (a changed verdict is deleted and added again).
  const adds: string[] = [];
  for (const map of Object.keys(MAPS) as NftMap[]) {
    const before = prev.maps[map];
    const after = next.maps[map];
    const gone = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
    const added = [...after].filter(([k, v]) => before.get(k) !== v).map(([k, v]) => `${k} : ${v}`);
    if (gone.length) lines.push(`delete element ${t} ${map} { ${gone.join(', ')} }`);
    if (added.length) adds.push(`add element ${t} ${map} { ${added.join(', ')} }`);
  }
  const unpinned = [...prev.hairpin].filter((h) => !next.hairpin.has(h));
  const pinned = [...next.hairpin].filter((h) => !prev.hairpin.has(h));
  if (unpinned.length) lines.push(`delete element ${t} hairpin { ${unpinned.join(', ')} }`);
  if (pinned.length) adds.push(`add element ${t} hairpin { ${pinned.join(', ')} }`);
  // A set's name includes its timeout (./rules.ts): sets are only ever added or deleted.
  for (const [s, timeout] of next.sets) if (!prev.sets.has(s)) lines.push(`add ${setDecl(`${t} ${s}`, timeout)}`);
  const changed = [...next.chains.keys()].filter((c) => !sameRules(prev.chains.get(c), next.chains.get(c)));
  // Declare new chains first: a changed chain may jump to one.
  for (const c of changed) if (!prev.chains.has(c)) lines.push(`add chain ${t} ${c}`);
  for (const c of changed) {
    if (prev.chains.has(c)) lines.push(`flush chain ${t} ${c}`);
    for (const r of next.chains.get(c)!) lines.push(`add rule ${t} ${c} ${r}`);
  }
  lines.push(...adds);
  // What nothing refers to any more, last.
  const goneChains = [...prev.chains.keys()].filter((c) => !next.chains.has(c));
  for (const c of goneChains) lines.push(`flush chain ${t} ${c}`);
  for (const c of goneChains) lines.push(`delete chain ${t} ${c}`);
  for (const s of prev.sets.keys()) if (!next.sets.has(s)) lines.push(`delete set ${t} ${s}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
