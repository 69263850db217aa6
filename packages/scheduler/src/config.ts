// The scheduler's configuration: documented defaults, overridable from a YAML file
// (`skiff scheduler --config scheduler.yaml`). Every key is optional:
//
//   schedulerName: default-scheduler   # pods naming another scheduler are left alone
//   percentageOfNodesToScore: 0        # 0 = adaptive: all nodes under 100, else max(5, 50 - n/125)%
//   podInitialBackoffSeconds: 1        # first retry delay after a failed attempt, doubling ...
//   podMaxBackoffSeconds: 10           # ... up to this
//   scoringStrategy:
//     type: LeastAllocated             # or MostAllocated to bin-pack
//     resources:                       # per-resource weights of the free-resources score
//       - { name: cpu, weight: 1 }
//       - { name: memory, weight: 1 }
//   pluginWeights:                     # weight of each score plugin; 0 turns a score off
//     NodeResourcesFit: 1
//     NodeResourcesBalancedAllocation: 1
//     PodTopologySpread: 2
//     InterPodAffinity: 2
//     NodeAffinity: 2
//     TaintToleration: 3

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ResourceWeights, ScoringStrategy } from './plugins/node-resources-fit.ts';

export const SCORE_PLUGINS = [
  'NodeResourcesFit',
  'NodeResourcesBalancedAllocation',
  'PodTopologySpread',
  'InterPodAffinity',
  'NodeAffinity',
  'TaintToleration',
] as const;
export type ScorePluginName = (typeof SCORE_PLUGINS)[number];

export interface SchedulerConfig {
  schedulerName: string;
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  scoringStrategy: { type: ScoringStrategy; resources: ResourceWeights };
  pluginWeights: Record<ScorePluginName, number>;
}

/** kube-scheduler's default score weights. */
export function defaultConfig(): SchedulerConfig {
  return {
    schedulerName: 'default-scheduler',
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
    scoringStrategy: { type: 'LeastAllocated', resources: { cpu: 1, memory: 1 } },
    pluginWeights: { NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeAffinity: 2, TaintToleration: 3 },
  };
}

function fail(msg: string): never {
  throw new Error(`invalid scheduler config: ${msg}`);
}

function nonNegative(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${field} must be a non-negative number`);
  return v;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${field} must be a mapping`);
  return v as Record<string, unknown>;
}

const TOP_LEVEL = ['schedulerName', 'percentageOfNodesToScore', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds', 'scoringStrategy', 'pluginWeights'];

/** Defaults overlaid with a parsed config document; unknown keys are errors, not silently ignored. */
export function resolveConfig(doc: unknown): SchedulerConfig {
  const c = defaultConfig();
  if (doc === undefined || doc === null) return c;
  const o = object(doc, 'the document');
  for (const k of Object.keys(o)) if (!TOP_LEVEL.includes(k)) fail(`unknown field ${k}`);
  if (o.schedulerName !== undefined) {
    if (typeof o.schedulerName !== 'string' || !o.schedulerName) fail('schedulerName must be a non-empty string');
    c.schedulerName = o.schedulerName;
  }
  if (o.percentageOfNodesToScore !== undefined) {
    c.percentageOfNodesToScore = nonNegative(o.percentageOfNodesToScore, 'percentageOfNodesToScore');
    if (c.percentageOfNodesToScore > 100) fail('percentageOfNodesToScore must be at most 100');
  }
  if (o.podInitialBackoffSeconds !== undefined) c.podInitialBackoffSeconds = nonNegative(o.podInitialBackoffSeconds, 'podInitialBackoffSeconds');
  if (o.podMaxBackoffSeconds !== undefined) c.podMaxBackoffSeconds = nonNegative(o.podMaxBackoffSeconds, 'podMaxBackoffSeconds');
  if (c.podMaxBackoffSeconds < c.podInitialBackoffSeconds) fail('podMaxBackoffSeconds must be at least podInitialBackoffSeconds');
  if (o.scoringStrategy !== undefined) {
    const s = object(o.scoringStrategy, 'scoringStrategy');
    if (s.type !== undefined) {
      if (s.type !== 'LeastAllocated' && s.type !== 'MostAllocated') fail('scoringStrategy.type must be LeastAllocated or MostAllocated');
      c.scoringStrategy.type = s.type;
    }
    if (s.resources !== undefined) {
      if (!Array.isArray(s.resources)) fail('scoringStrategy.resources must be a list');
      // Listing resources replaces the defaults: a resource left out weighs 0.
      const weights: ResourceWeights = { cpu: 0, memory: 0 };
      for (const [i, r] of s.resources.entries()) {
        const e = object(r, `scoringStrategy.resources[${i}]`);
        if (e.name !== 'cpu' && e.name !== 'memory') fail(`scoringStrategy.resources[${i}].name must be cpu or memory`);
        weights[e.name] = e.weight === undefined ? 1 : nonNegative(e.weight, `scoringStrategy.resources[${i}].weight`);
      }
      c.scoringStrategy.resources = weights;
    }
  }
  if (o.pluginWeights !== undefined) {
    for (const [name, w] of Object.entries(object(o.pluginWeights, 'pluginWeights'))) {
      if (!(SCORE_PLUGINS as readonly string[]).includes(name)) fail(`pluginWeights: unknown score plugin ${name} (known: ${SCORE_PLUGINS.join(', ')})`);
      c.pluginWeights[name as ScorePluginName] = nonNegative(w, `pluginWeights.${name}`);
    }
  }
  return c;
}

export function parseConfig(yamlText: string): SchedulerConfig {
  return resolveConfig(parse(yamlText));
}

export function loadConfig(path: string): SchedulerConfig {
  return parseConfig(readFileSync(path, 'utf8'));
}
