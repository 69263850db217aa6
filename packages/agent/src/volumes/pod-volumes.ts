// One pod's side of the volume manager, held by its worker: volumes set up before any container
// starts (FailedMount events, deduplicated, and retries with back-off while one fails), mounts per
// container, in-place refreshes of projected files, and the teardown with the pod.
import type { KubeObject } from '@skiff/api';
import type { Mount } from '../runtime/types.ts';
import type { VolumeMountSpec } from './types.ts';
import { VolumeError, type ReadyVolume, type VolumeManager } from './manager.ts';

export type RecordEvent = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;

export class PodVolumes {
  private readonly manager: VolumeManager;
  private ready?: Map<string, ReadyVolume>;
  private lastError?: string;
  private failures = 0;
  private refreshWanted = false;

  constructor(manager: VolumeManager) {
    this.manager = manager;
  }

  /** Sets up the pod's volumes; undefined when ready, else how long to wait before trying again. */
  async prepare(pod: KubeObject, record: RecordEvent): Promise<number | undefined> {
    try {
      this.ready = await this.manager.setUp(pod);
      this.failures = 0;
      this.lastError = undefined;
    } catch (err) {
      this.report(err, record);
      return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** this.failures++);
    }
    if (this.refreshWanted) {
      this.refreshWanted = false;
      // A refresh that fails (an object deleted) keeps the files as they were and the pod running,
      // as the kubelet does; the next change of the object triggers another.
      await this.manager.refresh(pod).catch((err: unknown) => this.report(err, record));
    }
    return undefined;
  }

  private report(err: unknown, record: RecordEvent): void {
    const message = err instanceof VolumeError ? err.message : `MountVolume.SetUp failed: ${(err as Error).message}`;
    // Kubernetes repeats the event while it goes on; one event per distinct message is enough here.
    if (message !== this.lastError) record('Warning', 'FailedMount', message);
    this.lastError = message;
  }

  /** The next prepare() rewrites the projected files (an object or the pod's metadata changed). */
  wantRefresh(): void {
    this.refreshWanted = true;
  }

  mountsFor(container: { volumeMounts?: VolumeMountSpec[] }): Mount[] {
    return this.manager.mountsFor(container, this.ready ?? new Map());
  }

  /** The pod terminated for good: its volumes go now, not when it is deleted. */
  releaseTerminated(uid: string): Promise<void> {
    this.ready = undefined;
    return this.manager.releaseTerminated(uid);
  }

  tearDown(uid: string): Promise<void> {
    this.ready = undefined;
    return this.manager.tearDown(uid);
  }
}
