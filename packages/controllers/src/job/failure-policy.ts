// podFailurePolicy (pkg/controller/job/pod_failure_policy.go): the first rule that matches a
// failed pod decides what its failure means: FailJob, Ignore (not counted), or Count.
import type { KubeObject } from '@skiff/api';

export type FailureAction = 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';

export interface FailureVerdict {
  action: FailureAction;
  /** Why, in Kubernetes' words, for the FailureTarget/Failed condition. */
  message: string;
}

interface ContainerStatus {
  name: string;
  state?: { terminated?: { exitCode?: number } };
}

/** The verdict of the job's podFailurePolicy for a failed pod; undefined when no rule matches. */
export function matchPodFailurePolicy(job: KubeObject, pod: KubeObject): FailureVerdict | undefined {
  const rules: { action: FailureAction; onExitCodes?: { containerName?: string; operator: string; values: number[] }; onPodConditions?: { type: string; status?: string }[] }[] =
    job.spec?.podFailurePolicy?.rules ?? [];
  const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const statuses: ContainerStatus[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.onExitCodes) {
      const req = rule.onExitCodes;
      for (const cs of statuses) {
        if (req.containerName && req.containerName !== cs.name) continue;
        const code = cs.state?.terminated?.exitCode;
        // Exit code 0 never matches: a container that succeeded did not fail the pod.
        if (code === undefined || code === 0) continue;
        const inValues = req.values.includes(code);
        if ((req.operator === 'In') === inValues) {
          return { action: rule.action, message: `Container ${cs.name} for pod ${podName} failed with exit code ${code} matching ${rule.action} rule at index ${i}` };
        }
      }
    } else {
      for (const pattern of rule.onPodConditions ?? []) {
        const c = ((pod.status?.conditions ?? []) as { type: string; status: string }[]).find((x) => x.type === pattern.type);
        if (c && c.status === (pattern.status ?? 'True')) {
          return { action: rule.action, message: `Pod ${podName} has condition ${pattern.type} matching ${rule.action} rule at index ${i}` };
        }
      }
    }
  }
  return undefined;
}
