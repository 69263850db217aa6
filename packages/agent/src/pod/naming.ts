// How the agent names and labels containers so that it can find them again after a restart.
import { createHash } from 'node:crypto';
import type { KubeObject } from '@skiff/api';
import {
  LABEL_CONTAINER_NAME,
  LABEL_NODE_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SPEC_HASH,
} from '../runtime/types.ts';

/** Runtime name of one attempt of a container: unique per pod uid, container and attempt. */
export function containerRuntimeName(pod: KubeObject, container: string, attempt: number): string {
  return `skiff_${pod.metadata.namespace}_${pod.metadata.name}_${container}_${(pod.metadata.uid ?? '').slice(0, 8)}_${attempt}`;
}

export function containerLabels(pod: KubeObject, container: string, nodeName: string, specHash: string, restartCount: number): Record<string, string> {
  return {
    [LABEL_POD_UID]: pod.metadata.uid ?? '',
    [LABEL_POD_NAME]: pod.metadata.name ?? '',
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? '',
    [LABEL_CONTAINER_NAME]: container,
    [LABEL_NODE_NAME]: nodeName,
    [LABEL_SPEC_HASH]: specHash,
    [LABEL_RESTART_COUNT]: String(restartCount),
  };
}

/** A stable hash of a container's spec: a different hash means the running container is stale. */
export function hashContainerSpec(spec: unknown): string {
  return createHash('sha256').update(stableStringify(spec)).digest('hex').slice(0, 16);
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
