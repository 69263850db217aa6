// The fields skiff stores and returns but does not act on (yet). A write that sets one gets a
// `Warning` response header, which kubectl prints, e.g.
//   Warning: spec.template.spec.hostAliases is stored but not enforced
// so nothing a user writes is silently without effect. Whoever makes skiff act on one of these
// fields deletes its line here (and the test that names it, if any).
//
// Entries name a model type and a field, so one entry covers every place the type appears (a Pod's
// spec, a Deployment's or ReplicaSet's pod template, every container, init or ephemeral).
// Volume sources the agent cannot set up are not listed: the pod fails to start with a
// FailedMount event naming them, so they are not without effect.

const CORE = 'io.k8s.api.core.v1.';

export const NOT_ENFORCED: readonly string[] = [
  // Pod spec: scheduling
  `${CORE}PodSpec.schedulingGates`,
  `${CORE}PodSpec.readinessGates`,
  `${CORE}PodSpec.overhead`,
  `${CORE}PodSpec.runtimeClassName`,
  `${CORE}PodSpec.os`,
  `${CORE}PodSpec.resourceClaims`,
  `${CORE}PodSpec.resources`,
  // Pod spec: storage, identity and sandbox
  `${CORE}PodSecurityContext.supplementalGroupsPolicy`,
  `${CORE}PodSecurityContext.appArmorProfile`,
  `${CORE}PodSecurityContext.seLinuxOptions`,
  `${CORE}PodSecurityContext.seLinuxChangePolicy`,
  `${CORE}PodSecurityContext.sysctls`,
  `${CORE}PodSecurityContext.windowsOptions`,
  `${CORE}PodSpec.activeDeadlineSeconds`,
  `${CORE}PodSpec.hostPID`,
  `${CORE}PodSpec.hostIPC`,
  `${CORE}PodSpec.hostUsers`,
  `${CORE}PodSpec.shareProcessNamespace`,
  `${CORE}PodSpec.hostAliases`,
  `${CORE}PodSpec.setHostnameAsFQDN`,
  // Containers (init and ephemeral containers too)
  `${CORE}VolumeMount.subPathExpr`,
  `${CORE}VolumeMount.mountPropagation`,
  `${CORE}VolumeMount.recursiveReadOnly`,
  `${CORE}Container.volumeDevices`,
  // securityContext: users, groups, runAsNonRoot, privileged, capabilities, readOnlyRootFilesystem,
  // allowPrivilegeEscalation and seccompProfile are enforced (the agent, docs/adr/0010); these not:
  `${CORE}SecurityContext.seLinuxOptions`,
  `${CORE}SecurityContext.appArmorProfile`,
  `${CORE}SecurityContext.procMount`,
  `${CORE}SecurityContext.windowsOptions`,
  `${CORE}Container.resizePolicy`,
  `${CORE}Probe.grpc`,
  // Services
  `${CORE}ServiceSpec.externalTrafficPolicy`,
  `${CORE}ServiceSpec.internalTrafficPolicy`,
  `${CORE}ServiceSpec.externalIPs`,
  `${CORE}ServiceSpec.loadBalancerSourceRanges`,
  // Ingresses are stored for an ingress controller; skiff has none, so nothing routes by them.
  'io.k8s.api.networking.v1.IngressSpec.defaultBackend',
  'io.k8s.api.networking.v1.IngressSpec.rules',
  'io.k8s.api.networking.v1.IngressSpec.tls',
];
