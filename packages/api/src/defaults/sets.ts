// Defaults of DaemonSets and StatefulSets (pkg/apis/apps/v1/defaults.go: SetDefaults_DaemonSet,
// SetDefaults_StatefulSet), with the PVC defaults applied to each volumeClaimTemplate.

import type { DaemonSet, StatefulSet } from '../model/types.generated.ts';
import type { Incoming } from '../object.ts';
import { defaultPodTemplate } from './pod.ts';
import { defaultPersistentVolumeClaim } from './storage.ts';

export function defaultDaemonSet(ds: Incoming<DaemonSet>): void {
  const spec = (ds.spec ??= {});
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(sts: Incoming<StatefulSet>): void {
  const spec = (sts.spec ??= {});
  if (spec.replicas === undefined) spec.replicas = 1;
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.partition === undefined) ru.partition = 0;
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  // StatefulSetAutoDeletePVC is on by default in 1.32: both policies default to Retain.
  const policy = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!policy.whenDeleted) policy.whenDeleted = 'Retain';
  if (!policy.whenScaled) policy.whenScaled = 'Retain';
  for (const claim of spec.volumeClaimTemplates ?? []) {
    if (claim && typeof claim === 'object') {
      claim.apiVersion ??= 'v1';
      claim.kind ??= 'PersistentVolumeClaim';
      defaultPersistentVolumeClaim(claim);
    }
  }
  defaultPodTemplate(spec.template);
}
