export { startAgent, type Agent, type AgentOptions } from './agent.ts';
export { DockerRuntime } from './runtime/docker/docker-runtime.ts';
export { SimRuntime, type SimRuntimeOptions } from './runtime/sim.ts';
export type { ContainerRuntime } from './runtime/types.ts';
export { HOST_PORTS_ANNOTATION } from './pod/worker.ts';
export { removeAgentState } from './volumes/host-mounts.ts';
