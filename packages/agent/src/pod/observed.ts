// What the runtime holds for one pod, grouped per container name, newest attempt first.
import type { ContainerInfo } from '../runtime/types.ts';
import { LABEL_CONTAINER_NAME, LABEL_RESTART_COUNT } from '../runtime/types.ts';

export interface ObservedContainer {
  info: ContainerInfo;
  /** restartCount of the pod container when this attempt was created. */
  restartCount: number;
}

export function groupByContainer(containers: ContainerInfo[]): Map<string, ObservedContainer[]> {
  const groups = new Map<string, ObservedContainer[]>();
  for (const info of containers) {
    const name = info.labels[LABEL_CONTAINER_NAME];
    if (!name) continue;
    const list = groups.get(name) ?? [];
    list.push({ info, restartCount: Number(info.labels[LABEL_RESTART_COUNT] ?? 0) });
    groups.set(name, list);
  }
  for (const list of groups.values()) list.sort((a, b) => b.restartCount - a.restartCount || b.info.createdAt.localeCompare(a.info.createdAt));
  return groups;
}

/**
 * A listing of containers in one string: two listings differ in it when any container came, went,
 * or changed its state or exit code, or was found OOM-killed after its exit (Docker may say so late).
 */
export function fingerprint(containers: ContainerInfo[]): string {
  return containers.map((c) => `${c.id}:${c.state}:${c.exitCode ?? ''}:${c.oomKilled ? 'oom' : ''}`).sort().join(',');
}

export const ms = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);
