// apps/v1 (deployments, replica sets), autoscaling/v1 Scale, coordination.k8s.io/v1 Lease.
import { APPS, AUTOSCALING, CORE, COORDINATION, INT_OR_STRING, META, bool, int, list, listOf, obj, ref, str, time, topLevel } from './dsl.ts';
import type { Schema } from './dsl.ts';

const replicaStatus = {
  replicas: int('Most recently observed number of replicas.'),
  fullyLabeledReplicas: int('Replicas with all labels of the template.'),
  readyReplicas: int('Replicas with a Ready condition.'),
  availableReplicas: int('Replicas ready for at least minReadySeconds.'),
  observedGeneration: int('The generation last acted on by the controller.', 'int64'),
};

export const appsSchemas: Record<string, Schema> = {
  [`${APPS}Deployment`]: topLevel('Declarative updates for pods and replica sets.', `${APPS}DeploymentSpec`, `${APPS}DeploymentStatus`),
  [`${APPS}DeploymentList`]: listOf(`${APPS}Deployment`, 'Deployment'),
  [`${APPS}DeploymentSpec`]: obj(
    'The desired behavior of a deployment.',
    {
      replicas: int('Number of desired pods. Defaults to 1.'),
      selector: ref(`${META}LabelSelector`, "Label selector for pods; must match the template's labels. Immutable."),
      template: ref(`${CORE}PodTemplateSpec`, 'Template describes the pods that will be created.'),
      strategy: ref(`${APPS}DeploymentStrategy`, 'The deployment strategy used to replace existing pods with new ones.', {
        'x-kubernetes-patch-strategy': 'retainKeys',
      }),
      minReadySeconds: int('Seconds a new pod must be ready without crashing to count as available. Defaults to 0.'),
      revisionHistoryLimit: int('Number of old ReplicaSets kept to allow rollback. Defaults to 10.'),
      paused: bool('Indicates that the deployment is paused.'),
      progressDeadlineSeconds: int('Seconds for the deployment to make progress before it is reported failed. Defaults to 600.'),
    },
    ['selector', 'template'],
  ),
  [`${APPS}DeploymentStrategy`]: obj('How to replace existing pods with new ones.', {
    type: str('Recreate or RollingUpdate. Defaults to RollingUpdate.'),
    rollingUpdate: ref(`${APPS}RollingUpdateDeployment`, 'Rolling update parameters, when type is RollingUpdate.'),
  }),
  [`${APPS}RollingUpdateDeployment`]: obj('Controls a rolling update.', {
    maxUnavailable: ref(INT_OR_STRING, 'Maximum number of pods that can be unavailable during the update (number or percent). Defaults to 25%.'),
    maxSurge: ref(INT_OR_STRING, 'Maximum number of pods that can be created over the desired number (number or percent). Defaults to 25%.'),
  }),
  [`${APPS}DeploymentStatus`]: obj('The most recently observed status of a deployment.', {
    observedGeneration: int('The generation observed by the deployment controller.', 'int64'),
    replicas: int('Total number of non-terminated pods targeted by this deployment.'),
    updatedReplicas: int('Non-terminated pods that have the desired template spec.'),
    readyReplicas: int('Pods targeted by this deployment with a Ready condition.'),
    availableReplicas: int('Pods ready for at least minReadySeconds.'),
    unavailableReplicas: int('Pods still required for the deployment to have 100% available capacity.'),
    conditions: list(`${APPS}DeploymentCondition`, 'The latest observations of the deployment state.', { key: 'type' }),
    collisionCount: int('Count of hash collisions, used to avoid them in the next ReplicaSet name.'),
  }),
  [`${APPS}DeploymentCondition`]: obj(
    'A condition of a deployment (Available, Progressing, ReplicaFailure).',
    {
      type: str('Type of the condition.'),
      status: str('True, False or Unknown.'),
      lastUpdateTime: time('The last time this condition was updated.'),
      lastTransitionTime: time('Last time the condition changed status.'),
      reason: str('Reason for the last transition, e.g. NewReplicaSetAvailable.'),
      message: str('Details of the last transition.'),
    },
    ['type', 'status'],
  ),

  [`${APPS}ReplicaSet`]: topLevel('Ensures that a number of pod replicas are running.', `${APPS}ReplicaSetSpec`, `${APPS}ReplicaSetStatus`),
  [`${APPS}ReplicaSetList`]: listOf(`${APPS}ReplicaSet`, 'ReplicaSet'),
  [`${APPS}ReplicaSetSpec`]: obj(
    'The desired state of a replica set.',
    {
      replicas: int('Number of desired replicas. Defaults to 1.'),
      minReadySeconds: int('Seconds a new pod must be ready to count as available.'),
      selector: ref(`${META}LabelSelector`, "Label query over pods; must match the template's labels."),
      template: ref(`${CORE}PodTemplateSpec`, 'The pods created when too few replicas are found.'),
    },
    ['selector'],
  ),
  [`${APPS}ReplicaSetStatus`]: obj('The observed state of a replica set.', {
    ...replicaStatus,
    conditions: list(`${META}Condition`, 'The latest observations of the replica set state.', { key: 'type' }),
  }, ['replicas']),

  [`${AUTOSCALING}Scale`]: topLevel('A scaling request for a resource.', `${AUTOSCALING}ScaleSpec`, `${AUTOSCALING}ScaleStatus`),
  [`${AUTOSCALING}ScaleSpec`]: obj('The desired scale.', { replicas: int('Desired number of instances of the scaled object.') }),
  [`${AUTOSCALING}ScaleStatus`]: obj(
    'The observed scale.',
    {
      replicas: int('Actual number of observed instances of the scaled object.'),
      selector: str('Label query over the pods counted in replicas, in string form.'),
    },
    ['replicas'],
  ),

  [`${COORDINATION}Lease`]: topLevel('A lease concept, e.g. for leader election.', `${COORDINATION}LeaseSpec`, null),
  [`${COORDINATION}LeaseList`]: listOf(`${COORDINATION}Lease`, 'Lease'),
  [`${COORDINATION}LeaseSpec`]: obj('The specification of a lease.', {
    holderIdentity: str('Identity of the current holder of the lease.'),
    leaseDurationSeconds: int('Seconds candidates wait before forcefully acquiring the lease, counted from renewTime.'),
    acquireTime: time('When the current lease was acquired.'),
    renewTime: time('When the current holder last renewed the lease.'),
    leaseTransitions: int('Number of transitions of the lease between holders.'),
  }),
};
