// Renders the scheduler's explanation of a pod's last scheduling attempt for `skiff explain`.
import type { ExplanationJSON } from '@skiff/scheduler';
import { formatTable } from './table.ts';

export function formatExplanation(e: ExplanationJSON): string {
  const out: string[] = [];
  const verdict = e.result === 'Scheduled' ? `scheduled on ${e.node}` : e.result === 'BindingFailed' ? `chosen for ${e.node}, but the binding failed` : 'unschedulable';
  out.push(`Pod ${e.pod}: ${verdict} (attempt at ${e.time})`);
  if (e.message) out.push(`  ${e.message}`);
  out.push(`${e.nodesInCluster} node${e.nodesInCluster === 1 ? '' : 's'} in the cluster, ${e.nodesEvaluated} evaluated, ${e.scored.length} feasible and scored.\n`);
  if (e.scored.length) {
    const header = ['NODE', 'TOTAL', ...e.plugins.map((p) => `${p.name} (x${p.weight})`)];
    const rows = e.scored.map((s, i) => [`${i === 0 && e.result !== 'Unschedulable' ? '* ' : '  '}${s.node}`, fmt(s.total), ...e.plugins.map((p) => String(s.scores[p.name] ?? '-'))]);
    out.push('Scores (0-100 per plugin; TOTAL is the weighted sum; * marks the choice):');
    out.push(formatTable(header, rows));
  }
  if (e.rejected.length) {
    out.push('Rejected:');
    out.push(formatTable(['NODE', 'FILTER', 'REASON'], e.rejected.map((r) => [r.node, r.plugin, r.reasons.join('; ')])));
  }
  return out.join('\n');
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
