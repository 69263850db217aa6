// Which iptables chains belong to which cluster. Several clusters may share one kernel (test
// files side by side on one machine, two `skiff up` clusters, several agents of one cluster on one
// host), so every chain skiff makes is named `SKIFF-<tag>-...`, where the tag is a hash of the
// cluster CIDR (two clusters whose pod ranges overlap cannot share a kernel anyway: their bridges
// would claim the same addresses). A cluster's rules then touch only its own chains, and its
// chains are removed together without disturbing another cluster's.
//
// The one thing clusters share is the built-in chains (POSTROUTING, DOCKER-USER, ...), which jump
// to each cluster's chains. Those jumps are planned here from `iptables-save` (pure: planJumps,
// planRemoval) and applied under the host-rules lock in one iptables-restore, so a jump is never
// doubled and one left doubled by an earlier run is removed.
import { createHash } from 'node:crypto';
import { nftDeleteTable } from '../nftables/exec.ts';
import { iptablesRestore, iptablesSave } from './exec.ts';
import { withHostRulesLock } from './lock.ts';

export type Table = 'nat' | 'filter';
export const TABLES: readonly Table[] = ['nat', 'filter'];

/** Chain name -> its rules (each rule the arguments after `-A CHAIN`). */
export type Chains = Map<string, string[]>;
export type Ruleset = Record<Table, Chains>;

/** A jump from a built-in (or Docker's) chain to one of a cluster's chains. */
export interface Jump {
  table: Table;
  from: string;
  to: string;
  /** Matches before the comment and `-j`, e.g. `-m conntrack --ctstate NEW`. */
  match?: string;
}

/** Five characters naming a cluster in its chains' names (iptables allows 28 per name). */
export function clusterTag(clusterCIDR: string): string {
  return createHash('sha256').update(clusterCIDR).digest('hex').slice(0, 5).toUpperCase();
}

/** `SKIFF-<tag>-`: the prefix of every chain of the cluster with this CIDR. */
export function clusterChainPrefix(clusterCIDR: string): string {
  return `SKIFF-${clusterTag(clusterCIDR)}-`;
}

/** `skiff-<tag>`: the cluster's nftables table (the service proxy's: ../proxy/nftables/rules.ts). */
export function clusterTable(clusterCIDR: string): string {
  return `skiff-${clusterTag(clusterCIDR)}`;
}

/** What `iptables-save` shows of one table: its chains, and its rules as `-A CHAIN ...` lines. */
export interface SavedTable {
  chains: Set<string>;
  rules: string[];
}

export function parseSave(save: string): Record<Table, SavedTable> {
  const out: Record<Table, SavedTable> = { nat: { chains: new Set(), rules: [] }, filter: { chains: new Set(), rules: [] } };
  let table: SavedTable | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line === '*nat' ? out.nat : line === '*filter' ? out.filter : undefined;
    else if (!table) continue;
    else if (line.startsWith(':')) table.chains.add(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ')) table.rules.push(line);
  }
  return out;
}

const jumpsTo = (t: SavedTable, from: string | undefined, to: string) =>
  t.rules.filter((r) => r.endsWith(` -j ${to}`) && (from === undefined || r.startsWith(`-A ${from} `)));

/**
 * Restore lines (per table, without the `*table`/COMMIT frame) that leave exactly one of each jump,
 * ahead of every rule that is not a jump to skiff's chains: a missing one is inserted at the top of
 * its chain, extra copies are deleted (the first stays). A jump that another program's rule has
 * come to precede is moved to the top: Docker inserts each new network's MASQUERADE rule at the top
 * of POSTROUTING, and pod-to-pod traffic must meet the cluster's exemption first.
 */
export function planJumps(saved: Record<Table, SavedTable>, jumps: readonly Jump[], comment: string): Record<Table, string[]> {
  const out: Record<Table, string[]> = { nat: [], filter: [] };
  for (const j of jumps) {
    const t = saved[j.table];
    const present = jumpsTo(t, j.from, j.to);
    const chain = t.rules.filter((r) => r.startsWith(`-A ${j.from} `));
    const behindOthers = present.length > 0 && chain.slice(0, chain.indexOf(present[0])).some((r) => !/ -j SKIFF-\S+$/.test(r));
    if (present.length === 0 || behindOthers) {
      // Deletes first: `-D` with a rule's spec removes the first match, which the insert would be.
      for (const old of present) out[j.table].push(old.replace(/^-A /, '-D '));
      if (!t.chains.has(j.from)) out[j.table].push(`:${j.from} - [0:0]`); // DOCKER-USER before Docker ever ran
      out[j.table].push(`-I ${j.from} 1 ${j.match ? `${j.match} ` : ''}-m comment --comment "${comment}" -j ${j.to}`);
      continue;
    }
    for (const extra of present.slice(1)) out[j.table].push(extra.replace(/^-A /, '-D '));
  }
  return out;
}

/** Restore lines that delete every chain whose name starts with `prefix`, and every jump to one. */
export function planRemoval(saved: Record<Table, SavedTable>, prefix: string, only: (chain: string) => boolean = () => true): Record<Table, string[]> {
  const out: Record<Table, string[]> = { nat: [], filter: [] };
  for (const table of TABLES) {
    const t = saved[table];
    const ours = [...t.chains].filter((c) => c.startsWith(prefix) && only(c));
    if (!ours.length) continue;
    // Jumps from chains that stay; our own chains are flushed whole.
    for (const c of ours) for (const r of jumpsTo(t, undefined, c)) if (!ours.some((o) => r.startsWith(`-A ${o} `))) out[table].push(r.replace(/^-A /, '-D '));
    for (const c of ours) out[table].push(`:${c} - [0:0]`);
    for (const c of ours) out[table].push(`-X ${c}`);
  }
  return out;
}

/** One restore input from per-table lines ('' when there is nothing to do). */
export function frame(lines: Record<Table, string[]>): string {
  const parts = TABLES.filter((t) => lines[t].length).map((t) => [`*${t}`, ...lines[t], 'COMMIT'].join('\n'));
  return parts.length ? `${parts.join('\n')}\n` : '';
}

/**
 * Under the lock, in one restore: rewrites `chains` (declared, so emptied, then refilled; a chain
 * left by an earlier run gets exactly these rules) and leaves exactly one of each jump.
 */
export async function applyChainsAndJumps(o: { chains: Ruleset; jumps: readonly Jump[]; comment: string }): Promise<void> {
  await withHostRulesLock(async () => {
    const saved = parseSave(await iptablesSave());
    const jumps = planJumps(saved, o.jumps, o.comment);
    const lines: Record<Table, string[]> = { nat: [], filter: [] };
    for (const table of TABLES) {
      for (const c of o.chains[table].keys()) lines[table].push(`:${c} - [0:0]`);
      for (const [c, rules] of o.chains[table]) for (const r of rules) lines[table].push(`-A ${c} ${r}`);
      lines[table].push(...jumps[table]);
    }
    const input = frame(lines);
    if (input) await iptablesRestore(input);
  });
}

/** Leaves exactly one of each jump (the chains must exist). */
export async function ensureJumps(jumps: readonly Jump[], comment: string): Promise<void> {
  await applyChainsAndJumps({ chains: { nat: new Map(), filter: new Map() }, jumps, comment });
}

/**
 * Removes every chain and jump of the cluster with this CIDR (the pod network's, and chains of the
 * service proxy's earlier iptables version) and its nftables table (the service proxy), leaving
 * other clusters' alone: `skiff down`, the end of a test's cluster.
 */
export async function removeClusterRules(clusterCIDR: string): Promise<void> {
  await withHostRulesLock(async () => {
    const input = frame(planRemoval(parseSave(await iptablesSave()), clusterChainPrefix(clusterCIDR)));
    if (input) await iptablesRestore(input);
  });
  await nftDeleteTable(clusterTable(clusterCIDR));
}

/**
 * Removes the iptables chains (and jumps to them) that the service proxy wrote before it moved to
 * nftables, keeping the pod network's (`...POD*`): an agent upgraded in place must not leave stale
 * DNATs and REJECTs behind its new table.
 */
export async function removeIptablesProxyChains(clusterCIDR: string): Promise<void> {
  const prefix = clusterChainPrefix(clusterCIDR);
  await withHostRulesLock(async () => {
    const input = frame(planRemoval(parseSave(await iptablesSave()), prefix, (c) => !c.startsWith(`${prefix}POD`)));
    if (input) await iptablesRestore(input);
  });
}
