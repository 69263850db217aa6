// @skiff/controllers: the controller manager, its controllers, and their pure planners.
export { createControllerManager, CONTROLLER_NAMES, LEADER_LEASE_NAME, LEADER_LEASE_NAMESPACE } from './manager.ts';
export type { ControllerManager, ControllerManagerOptions, ControllerName } from './manager.ts';

export { ReplicaSetController, ReplicaSetEventReason } from './replicaset/controller.ts';
export { diffReplicaSet, computeSlowStartBatches, slowStartBatch, decideClaim, computeReplicaSetStatus, computePodFromTemplate, BURST_REPLICAS } from './replicaset/plan.ts';
export { rankPodsForDeletion } from './replicaset/rank.ts';
export { Expectations } from './replicaset/expectations.ts';

export { DeploymentController } from './deployment/controller.ts';
export { planRollout, computeNewReplicaSet, computeHistoryCleanup, DeploymentEventReason } from './deployment/plan.ts';
export type { RolloutPlan, PlanRolloutInput } from './deployment/plan.ts';
export { computePodTemplateHash, templatesEqualIgnoringHash, POD_TEMPLATE_HASH_LABEL } from './deployment/hash.ts';
export { resolveFenceposts, computeNewReplicaSetReplicas, computeOldReplicaSetScaleDown } from './deployment/replicas.ts';
export { REVISION_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from './deployment/revision.ts';
export { ConditionReason } from './deployment/status.ts';

export { EndpointsController } from './endpoints/controller.ts';
export { EndpointSliceController } from './endpointslice/controller.ts';
export { computeEndpointSubsets, computeEndpoints, resolveTargetPort } from './endpoints/plan.ts';

export { NodeLifecycleController } from './nodelifecycle/controller.ts';
export { computeNodeUpdate, computeEvictionTime, isNodeStale, TAINT_UNREACHABLE, TAINT_NOT_READY, NODE_LEASE_NAMESPACE } from './nodelifecycle/plan.ts';

export { GarbageCollector, GC_RESOURCES } from './gc/controller.ts';
export { computeOwnerActions, computeDependentActions, FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from './gc/plan.ts';

export { NodeIpamController } from './nodeipam/controller.ts';
export { nextFreeBlock, parseRangeConfig, DEFAULT_CLUSTER_CIDR } from './nodeipam/plan.ts';
export { ServiceLBController } from './servicelb/controller.ts';
export { computeLoadBalancerIngress } from './servicelb/plan.ts';

export { JobController } from './job/controller.ts';
export { planJob, isJobFinished, JobEventReason, MAX_POD_CREATE_DELETE_PER_SYNC } from './job/plan.ts';
export type { JobPlan, PlanJobInput } from './job/plan.ts';
export { computeJobPod } from './job/pod-template.ts';
export { JOB_TRACKING_FINALIZER, computeBackoffRemaining, podFinishedTime } from './job/pods.ts';
export { COMPLETION_INDEX_ANNOTATION, formatIndexes, parseIndexes } from './job/indexes.ts';
export { matchPodFailurePolicy } from './job/failure-policy.ts';
export { TtlAfterFinishedController } from './ttlafterfinished/controller.ts';
export { computeTtlAction, jobFinishTime } from './ttlafterfinished/plan.ts';
export { CronJobController } from './cronjob/controller.ts';
export { planCronJob, mostRecentScheduleTime, computeJobFromCronJob, jobNameFor, formatInZone, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob/plan.ts';
export type { CronJobPlan, PlanCronJobInput } from './cronjob/plan.ts';
