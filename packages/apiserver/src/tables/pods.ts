// The pod row: the same READY / STATUS / RESTARTS reasoning as kubectl's printPod (Kubernetes 1.32),
// including sidecar (restartable init) containers and the "(5s ago)" restart suffix.
import type { KubeObject } from '@skiff/api';
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Cell, Printer, RowCondition } from './types.ts';

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

const COLUMNS = [
  NAME_COLUMN,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  AGE_COLUMN,
  column('IP', 'string', 'IP address allocated to the pod.', { priority: 1 }),
  column('Node', 'string', 'The node the pod is scheduled to.', { priority: 1 }),
  column('Nominated Node', 'string', 'The node the scheduler nominated for this pod after preemption.', { priority: 1 }),
  column('Readiness Gates', 'string', 'Pod conditions evaluated for readiness, true of total.', { priority: 1 }),
];

/** The latest `lastState.terminated.finishedAt`, in ms; 0 when none. */
function lastFinished(status: ContainerStatus, latest: number): number {
  const finished = status.lastState?.terminated?.finishedAt;
  const t = finished ? Date.parse(finished) : NaN;
  return Number.isNaN(t) || t <= latest ? latest : t;
}

function hasCondition(conditions: Condition[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True');
}

function isInitializedTrue(conditions: Condition[]): boolean {
  const c = conditions.find((x) => x.type === 'Initialized');
  return c?.status === 'True';
}

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** READY, STATUS and RESTARTS for one pod, at time `now` (ms). */
export function summarizePod(pod: KubeObject, now: number): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const conditions: Condition[] = status.conditions ?? [];
  const initSpecs: { name: string; restartPolicy?: string }[] = spec.initContainers ?? [];
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));

  const totalContainers = (spec.containers ?? []).length + sidecars.size;
  let readyContainers = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;

  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    lastRestart = lastFinished(c, lastRestart);
    const isSidecar = sidecars.has(c.name);
    if (isSidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = lastFinished(c, lastSidecarRestart);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (isSidecar && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isInitializedTrue(conditions)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: ContainerStatus[] = status.containerStatuses ?? [];
    // Walked backwards so the first container's state wins, as kubectl does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = lastFinished(c, lastRestart);
      const terminated = c.state?.terminated;
      if (c.state?.waiting?.reason) {
        reason = c.state.waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // Some container still runs: the pod is not completed yet.
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) {
    restartsText = `${restarts} (${ageSince(new Date(lastRestart).toISOString(), now)} ago)`;
  }
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsText };
}

function readinessGates(pod: KubeObject): string {
  const gates: { conditionType: string }[] = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions: Condition[] = pod.status?.conditions ?? [];
  let trueCount = 0;
  for (const gate of gates) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (c?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: COLUMNS,
  cells(pod, now): Cell[] {
    const s = summarizePod(pod, now);
    const podIP: string = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    return [
      pod.metadata.name ?? '',
      s.ready,
      s.status,
      s.restarts,
      ageSince(pod.metadata.creationTimestamp, now),
      podIP,
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod): RowCondition[] | undefined {
    switch (pod.status?.phase) {
      case 'Succeeded':
        return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
      case 'Failed':
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      default:
        return undefined;
    }
  },
};
