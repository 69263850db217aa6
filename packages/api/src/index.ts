export * from './resources.ts';
export * from './object.ts';
export * from './quantity.ts';
export * from './intorstr.ts';
export * from './selectors/labels.ts';
export * from './selectors/fields.ts';
export {
  IntOrStringSchema,
  kobj,
  MicroTimeSchema,
  QuantitySchema,
  ResourceListSchema,
  TimeSchema,
  type GroupVersionKind,
  type KubeSchemaMeta,
  type ObjectDoc,
} from './schemas/common.ts';
export * from './schemas/meta.ts';
export * from './schemas/pod.ts';
export * from './schemas/core.ts';
export * from './schemas/apps.ts';
export * from './schemas/registry.ts';
export * from './decode.ts';
export * from './defaults/index.ts';
export { defaultPullPolicy, imageTag, DEFAULT_SCHEDULER_NAME, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, TERMINATION_MESSAGE_PATH } from './defaults/pod.ts';
export * from './helpers/owners.ts';
export * from './helpers/names.ts';
export * from './helpers/pods.ts';
export * from './helpers/ipv4.ts';
export * from './validation/index.ts';
export { RawValue, labelSelectorValue, mapValue, intOrStringValue } from './validation/errors.ts';
export { validateLabelSelector, validateLabels, nameIsDNSSubdomain, nameIsDNSLabel, nameIsDNS1035Label } from './validation/meta.ts';
export * from './openapi.ts';
export * from './helpers/time.ts';
export * from './defaults/admission.ts';
