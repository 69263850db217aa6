// What the scheduler reports about pods besides binding them: the Scheduled and FailedScheduling
// events (recorded with @skiff/client's EventRecorder) and the PodScheduled=False condition.

import { formatTime } from '@skiff/api';
import type { Pod, PodCondition } from './model/types.ts';

export const REASON_SCHEDULED = 'Scheduled';
export const REASON_FAILED_SCHEDULING = 'FailedScheduling';

/**
 * The PodScheduled=False condition (reason Unschedulable, the FailedScheduling message) to
 * merge into the pod's status; undefined when the pod already says exactly that.
 */
export function computeUnschedulableCondition(pod: Pod, message: string, now: Date): PodCondition | undefined {
  const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return undefined;
  return {
    type: 'PodScheduled',
    status: 'False',
    reason: 'Unschedulable',
    message,
    // The condition has been False since the first failed attempt.
    lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : formatTime(now),
  };
}
