// @skiff/scheduler: `createScheduler({ server, config })` for `skiff scheduler` and
// `skiff server`; the pure pieces are exported for `skiff explain` and for tests.
export { createScheduler, type Scheduler, type SchedulerOptions, type LeaderElectionConfig } from './scheduler.ts';
export { defaultConfig, loadConfig, parseConfig, resolveConfig, SCORE_PLUGINS, type SchedulerConfig, type ScorePluginName } from './config.ts';
export { renderExplanation, SCHEDULER_ENDPOINT_ANNOTATION, SCHEDULER_LEASE, type ExplanationJSON, type AttemptResult, type Rejection } from './explain.ts';
export { buildProfile, type Profile, type WeightedPlugin } from './profile.ts';
export { computePlacement, type Placement, type PlacementInput } from './pipeline.ts';
export { computeFitErrorMessage } from './fit-error.ts';
export { numFeasibleNodesToFind } from './sampling.ts';
export type { Plugin, Status } from './framework.ts';
