// @skiff/client: what the scheduler, controllers, node agents and CLI talk to the API server with.

export { ApiError, isAlreadyExists, isConflict, isForbidden, isGone, isInvalid, isNotFound, type Status, type StatusCause, type StatusDetails } from './errors.ts';
export { resourcePath, queryString, type ResourceRef, type PathParts } from './paths.ts';
export type { TransportOptions } from './transport.ts';
export {
  RestClient,
  type RestClientOptions,
  type KubeList,
  type ListMeta,
  type ListOptions,
  type WriteOptions,
  type PatchType,
  type PatchOptions,
  type DeleteOptions,
} from './rest-client.ts';
export { openWatch, type WatchEvent, type WatchEventType, type WatchOptions, type WatchHandle } from './watch.ts';
export { NdjsonDecoder } from './ndjson.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export { Store, keyOf, keyFor, splitKey, indexByNamespace, indexByOwnerUid, indexByNodeName, dropManagedFields, type IndexFunc, type ReadonlyStore, type StoreOptions } from './store.ts';
export { Informer, type EventHandlers, type InformerOptions } from './informer.ts';
export { filteringHandlers } from './filtering-handlers.ts';
export { SharedInformerFactory, type InformerFactory, type InformerSelector, type SharedInformerFactoryOptions } from './shared-informer-factory.ts';
export { WorkQueue, type WorkQueueOptions } from './work-queue.ts';
export { ExponentialBackoffRateLimiter, TokenBucketRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';
export { runWorkers, TerminalError, type ReconcileHandler, type ReconcileResult, type RunWorkersOptions } from './run-workers.ts';
export { LeaderElector, type LeaderElectorOptions, type LeaseSpec } from './leader-election.ts';
export { loadKubeconfig, clusterServers, SERVERS_EXTENSION, type KubeconfigCluster } from './kubeconfig.ts';
export { parseServerList, planFailover, ServerPool, type FailureAction } from './servers.ts';
export { BackgroundSender, type BackgroundSenderOptions } from './background-sender.ts';
export { EventRecorder, type EventRecorderOptions, type EventType } from './event-recorder.ts';
export { WakeableSleep } from './wakeable-sleep.ts';
export { subjectAccessAllowed, type ReviewedSubject } from './access-review.ts';
