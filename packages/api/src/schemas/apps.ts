// apps/v1 Deployment and ReplicaSet, autoscaling/v1 Scale and coordination.k8s.io/v1 Lease.

import { z } from 'zod';
import { APPS_V1, AUTOSCALING_V1, COORDINATION_V1, gvk, IntOrStringSchema, kobj, MicroTimeSchema, obool, oint32, oint64, ostr, TimeSchema } from './common.ts';
import { LabelSelectorSchema, listOf, ObjectMetaSchema } from './meta.ts';
import { PodTemplateSpecSchema } from './pod.ts';

const typeMeta = () => ({ apiVersion: z.string(), kind: z.string(), metadata: ObjectMetaSchema });

// ---- Deployment -------------------------------------------------------------------------

export const RollingUpdateDeploymentSchema = kobj(
  `${APPS_V1}.RollingUpdateDeployment`,
  { maxUnavailable: IntOrStringSchema.optional(), maxSurge: IntOrStringSchema.optional() },
  {
    description: 'Spec to control the desired behavior of rolling update.',
    fields: {
      maxUnavailable: 'The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.',
      maxSurge: 'The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.',
    },
  },
);

export const DeploymentStrategySchema = kobj(
  `${APPS_V1}.DeploymentStrategy`,
  { type: ostr(), rollingUpdate: RollingUpdateDeploymentSchema.optional() },
  {
    description: 'DeploymentStrategy describes how to replace existing pods with new ones.',
    fields: { type: 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.' },
  },
);

export const DeploymentSpecSchema = kobj(
  `${APPS_V1}.DeploymentSpec`,
  {
    replicas: oint32(),
    selector: LabelSelectorSchema.optional(),
    template: PodTemplateSpecSchema,
    strategy: DeploymentStrategySchema,
    minReadySeconds: oint32(),
    revisionHistoryLimit: oint32(),
    paused: obool(),
    progressDeadlineSeconds: oint32(),
  },
  {
    description: 'DeploymentSpec is the specification of the desired behavior of the Deployment.',
    required: ['selector', 'template'],
    fields: {
      replicas: 'Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.',
      selector: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
      template: 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".',
      strategy: 'The deployment strategy to use to replace existing pods with new ones.',
      minReadySeconds: 'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.',
      revisionHistoryLimit: 'The number of old ReplicaSets to retain to allow rollback. Defaults to 10.',
      paused: 'Indicates that the deployment is paused.',
      progressDeadlineSeconds: 'The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.',
    },
  },
);

export const DeploymentConditionSchema = kobj(
  `${APPS_V1}.DeploymentCondition`,
  {
    type: z.string(),
    status: z.string(),
    lastUpdateTime: TimeSchema.optional(),
    lastTransitionTime: TimeSchema.optional(),
    reason: ostr(),
    message: ostr(),
  },
  { description: 'DeploymentCondition describes the state of a deployment at a certain point.', required: ['type', 'status'] },
);

export const DeploymentStatusSchema = kobj(
  `${APPS_V1}.DeploymentStatus`,
  {
    observedGeneration: oint64(),
    replicas: oint32(),
    updatedReplicas: oint32(),
    readyReplicas: oint32(),
    availableReplicas: oint32(),
    unavailableReplicas: oint32(),
    terminatingReplicas: oint32(),
    conditions: z.array(DeploymentConditionSchema).optional(),
    collisionCount: oint32(),
  },
  {
    description: 'DeploymentStatus is the most recently observed status of the Deployment.',
    fields: {
      observedGeneration: 'The generation observed by the deployment controller.',
      replicas: 'Total number of non-terminating pods targeted by this deployment (their labels match the selector).',
      updatedReplicas: 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.',
      readyReplicas: 'Total number of non-terminating pods targeted by this Deployment with a Ready Condition.',
      availableReplicas: 'Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.',
      unavailableReplicas: 'Total number of unavailable pods targeted by this deployment.',
      collisionCount: 'Count of hash collisions for the Deployment, used as a collision avoidance mechanism when naming ReplicaSets.',
    },
  },
);

export const DeploymentSchema = kobj(
  `${APPS_V1}.Deployment`,
  { ...typeMeta(), spec: DeploymentSpecSchema, status: DeploymentStatusSchema },
  {
    description: 'Deployment enables declarative updates for Pods and ReplicaSets.',
    gvk: gvk('apps', 'v1', 'Deployment'),
    fields: {
      metadata: "Standard object's metadata.",
      spec: 'Specification of the desired behavior of the Deployment.',
      status: 'Most recently observed status of the Deployment.',
    },
  },
);

// ---- ReplicaSet -------------------------------------------------------------------------

export const ReplicaSetConditionSchema = kobj(
  `${APPS_V1}.ReplicaSetCondition`,
  { type: z.string(), status: z.string(), lastTransitionTime: TimeSchema.optional(), reason: ostr(), message: ostr() },
  { required: ['type', 'status'] },
);

export const ReplicaSetSchema = kobj(
  `${APPS_V1}.ReplicaSet`,
  {
    ...typeMeta(),
    spec: kobj(
      `${APPS_V1}.ReplicaSetSpec`,
      { replicas: oint32(), minReadySeconds: oint32(), selector: LabelSelectorSchema.optional(), template: PodTemplateSpecSchema },
      {
        description: 'ReplicaSetSpec is the specification of a ReplicaSet.',
        required: ['selector'],
        fields: {
          replicas: 'Replicas is the number of desired pods. Defaults to 1.',
          selector: "Selector is a label query over pods that should match the replica count. It must match the pod template's labels.",
        },
      },
    ),
    status: kobj(
      `${APPS_V1}.ReplicaSetStatus`,
      {
        replicas: z.int32(),
        fullyLabeledReplicas: oint32(),
        readyReplicas: oint32(),
        availableReplicas: oint32(),
        terminatingReplicas: oint32(),
        observedGeneration: oint64(),
        conditions: z.array(ReplicaSetConditionSchema).optional(),
      },
      { description: 'ReplicaSetStatus represents the current status of a ReplicaSet.', required: ['replicas'] },
    ),
  },
  { description: 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', gvk: gvk('apps', 'v1', 'ReplicaSet') },
);

// ---- Scale (autoscaling/v1) ------------------------------------------------------------

export const ScaleSchema = kobj(
  `${AUTOSCALING_V1}.Scale`,
  {
    ...typeMeta(),
    spec: kobj(`${AUTOSCALING_V1}.ScaleSpec`, { replicas: oint32() }, { description: 'ScaleSpec describes the attributes of a scale subresource.' }),
    status: kobj(`${AUTOSCALING_V1}.ScaleStatus`, { replicas: z.int32(), selector: ostr() }, {
      description: 'ScaleStatus represents the current status of a scale subresource.',
      required: ['replicas'],
    }),
  },
  { description: 'Scale represents a scaling request for a resource.', gvk: gvk('autoscaling', 'v1', 'Scale') },
);

// ---- Lease (coordination.k8s.io/v1) ----------------------------------------------------

export const LeaseSchema = kobj(
  `${COORDINATION_V1}.Lease`,
  {
    ...typeMeta(),
    spec: kobj(
      `${COORDINATION_V1}.LeaseSpec`,
      {
        holderIdentity: ostr(),
        leaseDurationSeconds: oint32(),
        acquireTime: MicroTimeSchema.optional(),
        renewTime: MicroTimeSchema.optional(),
        leaseTransitions: oint32(),
        strategy: ostr(),
        preferredHolder: ostr(),
      },
      {
        description: 'LeaseSpec is a specification of a Lease.',
        fields: {
          holderIdentity: 'holderIdentity contains the identity of the holder of a current lease.',
          leaseDurationSeconds: 'leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.',
          renewTime: 'renewTime is a time when the current holder of a lease has last updated the lease.',
        },
      },
    ),
  },
  { description: 'Lease defines a lease concept.', gvk: gvk('coordination.k8s.io', 'v1', 'Lease') },
);

export const DeploymentListSchema = listOf(DeploymentSchema, `${APPS_V1}.DeploymentList`, 'apps', 'v1', 'DeploymentList');
export const ReplicaSetListSchema = listOf(ReplicaSetSchema, `${APPS_V1}.ReplicaSetList`, 'apps', 'v1', 'ReplicaSetList');
export const LeaseListSchema = listOf(LeaseSchema, `${COORDINATION_V1}.LeaseList`, 'coordination.k8s.io', 'v1', 'LeaseList');

export type RollingUpdateDeployment = z.output<typeof RollingUpdateDeploymentSchema>;
export type DeploymentStrategy = z.output<typeof DeploymentStrategySchema>;
export type DeploymentSpec = z.output<typeof DeploymentSpecSchema>;
export type DeploymentCondition = z.output<typeof DeploymentConditionSchema>;
export type DeploymentStatus = z.output<typeof DeploymentStatusSchema>;
export type Deployment = z.output<typeof DeploymentSchema>;
export type ReplicaSet = z.output<typeof ReplicaSetSchema>;
export type Scale = z.output<typeof ScaleSchema>;
export type Lease = z.output<typeof LeaseSchema>;
