// validateCreate / validateUpdate: every failing field of an object, as the FieldCauses of a
// Kubernetes 422. Objects are expected to be defaulted first (applyDefaults), as in the API
// server: several "Required value" rules exist only to catch fields defaulting should have set.

import type { FieldCause, KubeObject } from '../object.ts';
import type { ResourceInfo } from '../resources.ts';
import { validateEndpoints, validateEvent, validateLease, validateNamespace, validateNamespaceUpdate, validateNode, validateNodeUpdate, validatePod, validatePodUpdate, validateService, validateServiceUpdate } from './core.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './discovery.ts';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate, validateServiceAccount } from './config.ts';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from './storage.ts';
import { validateControllerRevision, validateControllerRevisionUpdate, validateDaemonSet, validateDaemonSetUpdate, validateStatefulSet, validateStatefulSetUpdate } from './sets.ts';
import { validatePriorityClass, validatePriorityClassUpdate } from './scheduling.ts';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetUpdate } from './policy.ts';
import { validateIngress, validateIngressUpdate } from './networking.ts';
import { validateClusterRole, validateClusterRoleBinding, validateClusterRoleBindingUpdate, validateRole, validateRoleBinding, validateRoleBindingUpdate } from './rbac.ts';
import { validateCertificateSigningRequest, validateCertificateSigningRequestUpdate } from './certificates.ts';
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobUpdate } from './batch.ts';
import { validateAppsUpdate, validateDeployment, validateReplicaSet, validateReplicationController, validateReplicationControllerUpdate } from './workloads.ts';

type Kind = Pick<ResourceInfo, 'group' | 'kind' | 'scope'>;

/** By `group/Kind`; each takes its kind's Incoming type (a decoded KubeObject of that kind fits it). */
const CREATE: Record<string, (o: KubeObject) => FieldCause[]> = {
  '/Pod': validatePod,
  '/Namespace': validateNamespace,
  '/Node': validateNode,
  '/Service': validateService,
  '/Endpoints': validateEndpoints,
  'discovery.k8s.io/EndpointSlice': validateEndpointSlice,
  '/Event': validateEvent,
  '/ReplicationController': validateReplicationController,
  'apps/Deployment': validateDeployment,
  'apps/ReplicaSet': validateReplicaSet,
  'coordination.k8s.io/Lease': validateLease,
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/ServiceAccount': validateServiceAccount,
  '/PersistentVolumeClaim': validatePersistentVolumeClaim,
  '/PersistentVolume': validatePersistentVolume,
  'storage.k8s.io/StorageClass': validateStorageClass,
  'apps/DaemonSet': validateDaemonSet,
  'apps/StatefulSet': validateStatefulSet,
  'apps/ControllerRevision': validateControllerRevision,
  'scheduling.k8s.io/PriorityClass': validatePriorityClass,
  'batch/Job': validateJob,
  'batch/CronJob': validateCronJob,
  'policy/PodDisruptionBudget': validatePodDisruptionBudget,
  'networking.k8s.io/Ingress': validateIngress,
  'rbac.authorization.k8s.io/Role': validateRole,
  'rbac.authorization.k8s.io/ClusterRole': validateClusterRole,
  'rbac.authorization.k8s.io/RoleBinding': validateRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': validateClusterRoleBinding,
  'certificates.k8s.io/CertificateSigningRequest': validateCertificateSigningRequest,
};

const UPDATE: Record<string, (o: KubeObject, old: KubeObject) => FieldCause[]> = {
  '/Pod': validatePodUpdate,
  '/Namespace': validateNamespaceUpdate,
  '/Node': validateNodeUpdate,
  '/Service': validateServiceUpdate,
  'discovery.k8s.io/EndpointSlice': validateEndpointSliceUpdate,
  '/ReplicationController': validateReplicationControllerUpdate,
  'apps/Deployment': (o, old) => validateAppsUpdate('Deployment', o, old),
  'apps/ReplicaSet': (o, old) => validateAppsUpdate('ReplicaSet', o, old),
  '/ConfigMap': validateConfigMapUpdate,
  '/Secret': validateSecretUpdate,
  '/PersistentVolumeClaim': validatePersistentVolumeClaimUpdate,
  '/PersistentVolume': validatePersistentVolumeUpdate,
  'storage.k8s.io/StorageClass': validateStorageClassUpdate,
  'apps/DaemonSet': validateDaemonSetUpdate,
  'apps/StatefulSet': validateStatefulSetUpdate,
  'apps/ControllerRevision': validateControllerRevisionUpdate,
  'scheduling.k8s.io/PriorityClass': validatePriorityClassUpdate,
  'batch/Job': validateJobUpdate,
  'batch/CronJob': validateCronJobUpdate,
  'policy/PodDisruptionBudget': validatePodDisruptionBudgetUpdate,
  'networking.k8s.io/Ingress': validateIngressUpdate,
  'rbac.authorization.k8s.io/RoleBinding': validateRoleBindingUpdate,
  'rbac.authorization.k8s.io/ClusterRoleBinding': validateClusterRoleBindingUpdate,
  'certificates.k8s.io/CertificateSigningRequest': validateCertificateSigningRequestUpdate,
};

/** All validation failures for creating `obj`; empty when it is valid. */
export function validateCreate(resource: Kind, obj: KubeObject): FieldCause[] {
  const fn = CREATE[`${resource.group}/${resource.kind}`];
  if (fn) return fn(obj);
  return validateObjectMeta(obj.metadata, resource.scope === 'Namespaced', nameIsDNSSubdomain);
}

/** All validation failures for replacing `old` with `obj` (immutability rules included). */
export function validateUpdate(resource: Kind, obj: KubeObject, old: KubeObject): FieldCause[] {
  const key = `${resource.group}/${resource.kind}`;
  const fn = UPDATE[key];
  if (fn) return fn(obj, old);
  // Kinds without special update rules: update metadata rules plus the create-time spec rules.
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  const create = CREATE[key];
  if (create) errs.push(...create(obj).filter((c) => !c.field.startsWith('metadata.')));
  return errs;
}

export { invalidMessage, qualifiedKind } from './errors.ts';
export { RBAC_GROUP } from './rbac.ts';
export * from './strings.ts';
export { KEY_USAGES, MIN_CSR_EXPIRATION_SECONDS } from './certificates.ts';
export { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './batch.ts';
