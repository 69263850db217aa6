// The default profile: which plugins run, in which order, with which weights. Filters run in
// this order and the first to reject a node names the reason; cheap checks come first.

import type { SchedulerConfig } from './config.ts';
import type { Plugin } from './framework.ts';
import { balancedAllocation } from './plugins/balanced-allocation.ts';
import { nodeAffinity } from './plugins/node-affinity.ts';
import { nodeName } from './plugins/node-name.ts';
import { nodePorts } from './plugins/node-ports.ts';
import { nodeReady } from './plugins/node-ready.ts';
import { nodeResourcesFit } from './plugins/node-resources-fit.ts';
import { nodeUnschedulable } from './plugins/node-unschedulable.ts';
import { interPodAffinity } from './plugins/inter-pod-affinity.ts';
import { podTopologySpread } from './plugins/pod-topology-spread.ts';
import { taintToleration } from './plugins/taint-toleration.ts';
import { volumeBinding } from './plugins/volume-binding.ts';
import type { NamespaceLabels } from './model/pod-terms.ts';
import type { VolumeLister } from './volumes.ts';

export interface WeightedPlugin {
  plugin: Plugin;
  weight: number;
}

export interface Profile {
  filters: Plugin[];
  /** Score plugins with a weight above 0. */
  scores: WeightedPlugin[];
}

/**
 * `volumes`: what the VolumeBinding filter reads (without it, pods' claims are not checked);
 * `namespaceLabels`: for pod affinity terms with a namespaceSelector.
 */
export function buildProfile(config: SchedulerConfig, volumes?: VolumeLister, namespaceLabels?: NamespaceLabels): Profile {
  const affinity = interPodAffinity(namespaceLabels);
  const w = config.pluginWeights;
  const fit = nodeResourcesFit(config.scoringStrategy.type, config.scoringStrategy.resources);
  const filters: Plugin[] = [
    nodeReady, // the node's Ready condition is True
    nodeUnschedulable, // the node is not cordoned
    nodeName, // spec.nodeName, if the pod names a node
    taintToleration, // NoSchedule / NoExecute taints are tolerated
    nodeAffinity, // nodeSelector and required node affinity
    ...(volumes ? [volumeBinding(volumes)] : []), // claims usable here: bound volumes' node affinity, provisionable, RWOP free
    nodePorts, // requested host ports are free
    fit, // cpu, memory and pod count fit in allocatable
    podTopologySpread, // DoNotSchedule constraints keep their skew
    affinity, // required pod affinity / anti-affinity, and running pods' anti-affinity
  ];
  const scores: WeightedPlugin[] = [
    { plugin: fit, weight: w.NodeResourcesFit }, // free (or, bin-packing, used) resources
    { plugin: balancedAllocation, weight: w.NodeResourcesBalancedAllocation }, // cpu and memory used alike
    { plugin: podTopologySpread, weight: w.PodTopologySpread }, // ScheduleAnyway constraints, or the defaults: few pods of the same owner per node and zone
    { plugin: affinity, weight: w.InterPodAffinity }, // preferred pod affinity / anti-affinity
    { plugin: nodeAffinity, weight: w.NodeAffinity }, // preferred node affinity terms matched
    { plugin: taintToleration, weight: w.TaintToleration }, // few untolerated PreferNoSchedule taints
  ];
  return { filters, scores: scores.filter((s) => s.weight > 0) };
}
