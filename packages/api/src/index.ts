export * from './resources.ts';
export * from './object.ts';
export * from './quantity.ts';
export * from './intorstr.ts';
export * from './selectors/labels.ts';
export * from './selectors/fields.ts';
export type * from './model/types.generated.ts';
export { MODEL_KUBERNETES_VERSION, MODEL_SOURCE, modelDocs, modelType, modelTypeIdOf, modelTypeIds, modelTypeName, parsePatch, type TypeDef, type TypeRef } from './model/model.ts';
export { kindShape, objectShape, shapeOf, zeroValue, type ObjectShape, type Prop, type Shape } from './model/shape.ts';
export { COMPONENT_PREFIX, openAPIComponents, type OpenAPISchema } from './model/openapi.ts';
export * from './decode.ts';
export * from './defaults/index.ts';
export { defaultPullPolicy, imageTag, DEFAULT_SCHEDULER_NAME, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, TERMINATION_MESSAGE_PATH } from './defaults/pod.ts';
export * from './helpers/owners.ts';
export * from './helpers/names.ts';
export * from './helpers/pods.ts';
export * from './helpers/pod-objects.ts';
export * from './helpers/ipv4.ts';
export * from './helpers/endpoint-slices.ts';
export * from './helpers/storage.ts';
export * from './helpers/priority.ts';
export * from './helpers/disruption.ts';
export * from './validation/index.ts';
export { isConfigMapKey } from './validation/config.ts';
export { validatePodEphemeralContainersUpdate } from './validation/ephemeral.ts';
export { RawValue, labelSelectorValue, mapValue, intOrStringValue } from './validation/errors.ts';
export { validateLabelSelector, validateLabels, nameIsDNSSubdomain, nameIsDNSLabel, nameIsDNS1035Label } from './validation/meta.ts';
export * from './helpers/time.ts';
export * from './defaults/admission.ts';
export { NOT_ENFORCED } from './not-enforced.ts';
export { notEnforcedFields, notEnforcedWarnings } from './model/not-enforced-walk.ts';
export * from './helpers/strconv.ts';
export * from './helpers/node-affinity.ts';
export * from './helpers/equal.ts';
export * from './helpers/cron.ts';
export {
  caHash,
  certificateInfo,
  createCertificateAuthority,
  createCertificateRequest,
  issueCertificate,
  issuedBy,
  parseCertificateRequest,
  signCertificate,
  writePublicFile,
  writeSecretFile,
  CA_VALIDITY_DAYS,
  LEAF_VALIDITY_DAYS,
  type CertificateAuthority,
  type CertificateRequestSpec,
  type IssueOptions,
  type KeyPair,
  type ParsedCertificateRequest,
} from './certs/x509.ts';
export {
  formatJoinString,
  parseJoinString,
  newBootstrapToken,
  bootstrapTokenSecret,
  bootstrapSecretName,
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_PATTERN,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  DEFAULT_NODE_TOKEN_GROUP,
  type JoinString,
  type BootstrapTokenSpec,
} from './certs/join-string.ts';
export {
  KUBELET_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  APISERVER_CLIENT_SIGNER,
  KUBELET_CLIENT_USAGES,
  KUBELET_SERVING_USAGES,
  NODE_USER_PREFIX,
  NODES_GROUP,
  APISERVER_KUBELET_CLIENT_USER,
  kubeletClientProblem,
  kubeletServingProblem,
  apiserverClientProblem,
  nodeNameOf,
  csrCondition,
} from './certs/csr.ts';
export { NODE_PASSWORD_HEADER, NODE_PASSWORD_LABEL, NODE_PASSWORD_NAMESPACE, NODE_PASSWORD_SECRET_TYPE, nodePasswordSecretName } from './certs/node-password.ts';
