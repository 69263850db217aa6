// What a pod's containers need from the pod network: one network namespace per pod (held by a
// holder container, so that it outlives any app container) with an address of the node's pod
// CIDR, or the host's network for hostNetwork pods.
import type { KubeObject } from '@skiff/api';

export interface PodSandbox {
  /** Runtime id of the holder container; '' for a hostNetwork pod, which has none. */
  id: string;
  /** The pod's IP (the node's IP for a hostNetwork pod). */
  ip?: string;
  /** How the pod's containers join it (ContainerConfig.networkMode). */
  networkMode: string;
  /**
   * For a hostNetwork pod whose dnsPolicy is not the host's (ClusterFirstWithHostNet, None, a
   * dnsConfig): the resolv.conf its containers get (bind-mounted). Pods with a holder share the
   * holder's file instead.
   */
  resolvConf?: string;
}

export interface PodNetwork {
  /** The pod's sandbox, created (or re-created, when its holder stopped) if need be. */
  ensure(pod: KubeObject): Promise<PodSandbox>;
  /** The pod's live sandbox, if there is one; never creates. */
  find(pod: KubeObject): Promise<PodSandbox | undefined>;
  /** Removes the pod's sandbox (after its containers). */
  remove(podUid: string): Promise<void>;
  /** Removes holders of pods not in `liveUids` (pods deleted while the agent was down). */
  collect(liveUids: ReadonlySet<string>): Promise<void>;
}

/** Label on an app container: the id of the holder whose namespace it joined. */
export const LABEL_SANDBOX_ID = 'dev.skiff.sandbox';
