// A small decoder for the protobuf bodies kubectl 1.32 sends (its generators, `kubectl create
// namespace|deployment|service|configmap|secret|serviceaccount|job|cronjob|pdb|role|clusterrole|
// rolebinding|clusterrolebinding`, the Eviction of `kubectl drain`, the reviews of `kubectl auth can-i`): the `k8s\0` envelope (runtime.Unknown) around one object, read with protobufjs's
// wire-format Reader through field tables for the kinds those commands send. Anything else — other kinds, fields outside the tables, malformed bytes — is
// not guessed at: the caller answers 415 and suggests JSON/YAML. Field numbers are those of k8s.io/api's generated.proto files.
import protobuf from 'protobufjs/minimal.js';
import { formatTime } from '@skiff/api';
import { ApiError } from '../errors/status.ts';

/** `skip`: a field Go always encodes that is not kept (an empty creationTimestamp). */
type FieldType = 'string' | 'int' | 'bool' | 'bytes' | 'base64' | 'intOrString' | 'quantity' | 'time' | 'skip' | Schema;
interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** map<string, value>: entries are messages {key=1, value=2}. */
  map?: FieldType;
  /** A non-pointer Go field with `omitempty`: its zero value (0, false) is not stored. */
  omitZero?: boolean;
}
type Schema = { [num: number]: Field };

const TYPE_META: Schema = { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } };
const UNKNOWN: Schema = { 1: { name: 'typeMeta', type: TYPE_META }, 2: { name: 'raw', type: 'bytes' }, 3: { name: 'contentEncoding', type: 'string' }, 4: { name: 'contentType', type: 'string' } };

const OWNER_REFERENCE: Schema = {
  1: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' }, 6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' },
};
const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' }, 2: { name: 'generateName', type: 'string' }, 3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' }, 6: { name: 'resourceVersion', type: 'string' }, 7: { name: 'generation', type: 'int', omitZero: true },
  11: { name: 'labels', type: 'string', map: 'string' }, 12: { name: 'annotations', type: 'string', map: 'string' },
  13: { name: 'ownerReferences', type: OWNER_REFERENCE, repeated: true }, 14: { name: 'finalizers', type: 'string', repeated: true },
  8: { name: 'creationTimestamp', type: 'skip' },
};
const LABEL_SELECTOR: Schema = {
  1: { name: 'matchLabels', type: 'string', map: 'string' },
  2: { name: 'matchExpressions', type: { 1: { name: 'key', type: 'string' }, 2: { name: 'operator', type: 'string' }, 3: { name: 'values', type: 'string', repeated: true } }, repeated: true },
};
const CONTAINER: Schema = {
  1: { name: 'name', type: 'string' }, 2: { name: 'image', type: 'string' }, 3: { name: 'command', type: 'string', repeated: true },
  4: { name: 'args', type: 'string', repeated: true }, 5: { name: 'workingDir', type: 'string' },
  6: {
    name: 'ports',
    type: { 1: { name: 'name', type: 'string' }, 2: { name: 'hostPort', type: 'int' }, 3: { name: 'containerPort', type: 'int' }, 4: { name: 'protocol', type: 'string' }, 5: { name: 'hostIP', type: 'string' } },
    repeated: true,
  },
  7: { name: 'env', type: { 1: { name: 'name', type: 'string' }, 2: { name: 'value', type: 'string' } }, repeated: true },
  8: { name: 'resources', type: { 1: { name: 'limits', type: 'string', map: 'quantity' }, 2: { name: 'requests', type: 'string', map: 'quantity' } } },
  13: { name: 'terminationMessagePath', type: 'string' }, 14: { name: 'imagePullPolicy', type: 'string' },
  16: { name: 'stdin', type: 'bool', omitZero: true }, 17: { name: 'stdinOnce', type: 'bool', omitZero: true }, 18: { name: 'tty', type: 'bool', omitZero: true }, 20: { name: 'terminationMessagePolicy', type: 'string' },
};
const POD_SPEC: Schema = {
  2: { name: 'containers', type: CONTAINER, repeated: true }, 3: { name: 'restartPolicy', type: 'string' },
  4: { name: 'terminationGracePeriodSeconds', type: 'int' }, 6: { name: 'dnsPolicy', type: 'string' },
  7: { name: 'nodeSelector', type: 'string', map: 'string' }, 8: { name: 'serviceAccountName', type: 'string' }, 10: { name: 'nodeName', type: 'string' },
  11: { name: 'hostNetwork', type: 'bool', omitZero: true }, 19: { name: 'schedulerName', type: 'string' }, 20: { name: 'initContainers', type: CONTAINER, repeated: true },
};
const POD_TEMPLATE_SPEC: Schema = { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: POD_SPEC } };
const DEPLOYMENT: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'replicas', type: 'int' }, 2: { name: 'selector', type: LABEL_SELECTOR }, 3: { name: 'template', type: POD_TEMPLATE_SPEC },
      4: { name: 'strategy', type: { 1: { name: 'type', type: 'string' }, 2: { name: 'rollingUpdate', type: { 1: { name: 'maxUnavailable', type: 'intOrString' }, 2: { name: 'maxSurge', type: 'intOrString' } } } } },
      5: { name: 'minReadySeconds', type: 'int' }, 6: { name: 'revisionHistoryLimit', type: 'int' }, 7: { name: 'paused', type: 'bool' }, 9: { name: 'progressDeadlineSeconds', type: 'int' },
    },
  },
};
const SERVICE: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: {
        name: 'ports',
        type: { 1: { name: 'name', type: 'string' }, 2: { name: 'protocol', type: 'string' }, 3: { name: 'port', type: 'int' }, 4: { name: 'targetPort', type: 'intOrString' }, 5: { name: 'nodePort', type: 'int' } },
        repeated: true,
      },
      2: { name: 'selector', type: 'string', map: 'string' }, 3: { name: 'clusterIP', type: 'string' }, 4: { name: 'type', type: 'string' },
      5: { name: 'externalIPs', type: 'string', repeated: true }, 7: { name: 'sessionAffinity', type: 'string' }, 11: { name: 'externalName', type: 'string' },
    },
  },
};
const NAMESPACE: Schema = { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } } };

// kubectl create configmap|secret|serviceaccount. `bytes` values are base64 in JSON.
const CONFIG_MAP: Schema = {
  1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'data', type: 'string', map: 'string' },
  3: { name: 'binaryData', type: 'string', map: 'base64' }, 4: { name: 'immutable', type: 'bool' },
};
const SECRET: Schema = {
  1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'data', type: 'string', map: 'base64' }, 3: { name: 'type', type: 'string' },
  4: { name: 'stringData', type: 'string', map: 'string' }, 5: { name: 'immutable', type: 'bool' },
};
const SERVICE_ACCOUNT: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  3: { name: 'imagePullSecrets', type: { 1: { name: 'name', type: 'string' } }, repeated: true }, 4: { name: 'automountServiceAccountToken', type: 'bool' },
};

// kubectl create job|cronjob, and create job --from=cronjob/X (which copies the CronJob's stored,
// defaulted template: hence the pod security context).
POD_SPEC[14] = {
  name: 'securityContext',
  type: { 2: { name: 'runAsUser', type: 'int' }, 3: { name: 'runAsNonRoot', type: 'bool' }, 4: { name: 'supplementalGroups', type: 'int', repeated: true }, 5: { name: 'fsGroup', type: 'int' }, 6: { name: 'runAsGroup', type: 'int' } },
};
const JOB_SPEC: Schema = {
  1: { name: 'parallelism', type: 'int' }, 2: { name: 'completions', type: 'int' }, 3: { name: 'activeDeadlineSeconds', type: 'int' },
  4: { name: 'selector', type: LABEL_SELECTOR }, 5: { name: 'manualSelector', type: 'bool' }, 6: { name: 'template', type: POD_TEMPLATE_SPEC },
  7: { name: 'backoffLimit', type: 'int' }, 8: { name: 'ttlSecondsAfterFinished', type: 'int' }, 9: { name: 'completionMode', type: 'string' },
  10: { name: 'suspend', type: 'bool' }, 12: { name: 'backoffLimitPerIndex', type: 'int' }, 13: { name: 'maxFailedIndexes', type: 'int' },
  14: { name: 'podReplacementPolicy', type: 'string' }, 15: { name: 'managedBy', type: 'string' },
};
const JOB: Schema = { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: JOB_SPEC } };
const CRON_JOB: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'schedule', type: 'string' }, 2: { name: 'startingDeadlineSeconds', type: 'int' }, 3: { name: 'concurrencyPolicy', type: 'string' },
      4: { name: 'suspend', type: 'bool' }, 5: { name: 'jobTemplate', type: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: JOB_SPEC } } },
      6: { name: 'successfulJobsHistoryLimit', type: 'int' }, 7: { name: 'failedJobsHistoryLimit', type: 'int' }, 8: { name: 'timeZone', type: 'string' },
    },
  },
};

// kubectl create poddisruptionbudget, and the Eviction `kubectl drain` POSTs to pods/NAME/eviction.
const POD_DISRUPTION_BUDGET: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: { 1: { name: 'minAvailable', type: 'intOrString' }, 2: { name: 'selector', type: LABEL_SELECTOR }, 3: { name: 'maxUnavailable', type: 'intOrString' }, 4: { name: 'unhealthyPodEvictionPolicy', type: 'string' } },
  },
};
const DELETE_OPTIONS: Schema = {
  1: { name: 'gracePeriodSeconds', type: 'int' },
  2: { name: 'preconditions', type: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } } },
  3: { name: 'orphanDependents', type: 'bool' }, 4: { name: 'propagationPolicy', type: 'string' }, 5: { name: 'dryRun', type: 'string', repeated: true },
  6: { name: 'ignoreStoreReadErrorWithClusterBreakingPotential', type: 'bool' },
};
const EVICTION: Schema = { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'deleteOptions', type: DELETE_OPTIONS } };

// kubectl create role|clusterrole|rolebinding|clusterrolebinding (rbac/v1 generated.proto).
const POLICY_RULE: Schema = {
  1: { name: 'verbs', type: 'string', repeated: true }, 2: { name: 'apiGroups', type: 'string', repeated: true }, 3: { name: 'resources', type: 'string', repeated: true },
  4: { name: 'resourceNames', type: 'string', repeated: true }, 5: { name: 'nonResourceURLs', type: 'string', repeated: true },
};
const ROLE: Schema = { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'rules', type: POLICY_RULE, repeated: true } };
const CLUSTER_ROLE: Schema = { ...ROLE, 3: { name: 'aggregationRule', type: { 1: { name: 'clusterRoleSelectors', type: LABEL_SELECTOR, repeated: true } } } };
const ROLE_BINDING: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'subjects', type: { 1: { name: 'kind', type: 'string' }, 2: { name: 'apiGroup', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'namespace', type: 'string' } }, repeated: true },
  3: { name: 'roleRef', type: { 1: { name: 'apiGroup', type: 'string' }, 2: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' } } },
};
// kubectl auth can-i [--list] (authorization/v1 generated.proto); the empty status is not kept.
const RESOURCE_ATTRIBUTES: Schema = {
  1: { name: 'namespace', type: 'string' }, 2: { name: 'verb', type: 'string' }, 3: { name: 'group', type: 'string' }, 4: { name: 'version', type: 'string' },
  5: { name: 'resource', type: 'string' }, 6: { name: 'subresource', type: 'string' }, 7: { name: 'name', type: 'string' },
};
const NON_RESOURCE_ATTRIBUTES: Schema = { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } };
const SELF_SUBJECT_ACCESS_REVIEW: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'spec', type: { 1: { name: 'resourceAttributes', type: RESOURCE_ATTRIBUTES }, 2: { name: 'nonResourceAttributes', type: NON_RESOURCE_ATTRIBUTES } } },
  3: { name: 'status', type: 'skip' },
};
const SELF_SUBJECT_RULES_REVIEW: Schema = { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: { 1: { name: 'namespace', type: 'string' } } }, 3: { name: 'status', type: 'skip' } };

// kubectl certificate approve|deny: the CSR it read, with the condition it adds, PUT to /approval.
const CSR_CONDITION: Schema = {
  1: { name: 'type', type: 'string' }, 6: { name: 'status', type: 'string' }, 2: { name: 'reason', type: 'string' }, 3: { name: 'message', type: 'string' },
  4: { name: 'lastUpdateTime', type: 'time' }, 5: { name: 'lastTransitionTime', type: 'time' },
};
const CERTIFICATE_SIGNING_REQUEST: Schema = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'request', type: 'base64' }, 7: { name: 'signerName', type: 'string' }, 8: { name: 'expirationSeconds', type: 'int' }, 5: { name: 'usages', type: 'string', repeated: true },
      2: { name: 'username', type: 'string' }, 3: { name: 'uid', type: 'string' }, 4: { name: 'groups', type: 'string', repeated: true },
      // Set by the server on create and kept by every update: not read back from a client.
      6: { name: 'extra', type: 'skip' },
    },
  },
  3: { name: 'status', type: { 1: { name: 'conditions', type: CSR_CONDITION, repeated: true }, 2: { name: 'certificate', type: 'base64' } } },
};

const KINDS: Record<string, Schema> = {
  'rbac.authorization.k8s.io/v1/Role': ROLE, 'rbac.authorization.k8s.io/v1/ClusterRole': CLUSTER_ROLE,
  'rbac.authorization.k8s.io/v1/RoleBinding': ROLE_BINDING, 'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ROLE_BINDING,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': SELF_SUBJECT_ACCESS_REVIEW, 'authorization.k8s.io/v1/SelfSubjectRulesReview': SELF_SUBJECT_RULES_REVIEW,
  'certificates.k8s.io/v1/CertificateSigningRequest': CERTIFICATE_SIGNING_REQUEST,
  'v1/Namespace': NAMESPACE, 'v1/Service': SERVICE, 'apps/v1/Deployment': DEPLOYMENT,
  'v1/ConfigMap': CONFIG_MAP, 'v1/Secret': SECRET, 'v1/ServiceAccount': SERVICE_ACCOUNT,
  'batch/v1/Job': JOB, 'batch/v1/CronJob': CRON_JOB,
  'policy/v1/PodDisruptionBudget': POD_DISRUPTION_BUDGET, 'policy/v1/Eviction': EVICTION, 'policy/v1beta1/Eviction': EVICTION,
};
/**
 * Kinds whose bodies may carry any field of a pod template (a Job copied from a CronJob): a field
 * outside the tables is refused (415, send JSON) rather than dropped. Only status is skipped.
 */
const STRICT = new Set([JOB, CRON_JOB]);

class Unsupported extends Error {}

/**
 * The wire format (varints, lengths, wire types) is read by protobufjs's Reader (a dependency the
 * etcd client already brings in): only the tables above are skiff's. Each nested message gets a
 * Reader over its own bytes, so a length that runs past its parent is caught as truncation.
 */
type PbReader = protobuf.Reader;
const newReader = (buf: Uint8Array): PbReader => protobuf.Reader.create(buf);
const done = (r: PbReader) => r.pos >= r.len;
const int64 = (r: PbReader): number => {
  const v = r.int64() as unknown as number | { toNumber(): number };
  return typeof v === 'number' ? v : v.toNumber();
};

function decodeScalar(r: PbReader, wire: number, type: FieldType, strict = false): unknown {
  if (typeof type === 'object') {
    if (wire !== 2) throw new Unsupported('message with a non-length wire type');
    return decodeMessage(newReader(r.bytes()), type, strict);
  }
  if (wire !== (type === 'int' || type === 'bool' ? 0 : 2)) throw new Unsupported(`wire type ${wire} for a ${type}`);
  switch (type) {
    case 'string':
      return r.string();
    case 'bytes':
      return Buffer.from(r.bytes());
    case 'base64':
      return Buffer.from(r.bytes()).toString('base64');
    case 'int':
      return int64(r);
    case 'bool':
      return r.bool();
    case 'quantity': {
      const q = decodeScalar(r, wire, { 1: { name: 'string', type: 'string' } }) as { string?: string };
      return q.string ?? '0';
    }
    case 'intOrString': {
      const v = decodeScalar(r, wire, { 1: { name: 'type', type: 'int' }, 2: { name: 'intVal', type: 'int' }, 3: { name: 'strVal', type: 'string' } }) as { type?: number; intVal?: number; strVal?: string };
      return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
    }
    case 'time': {
      const t = decodeScalar(r, wire, { 1: { name: 'seconds', type: 'int' } }) as { seconds?: number };
      return formatTime((t.seconds ?? 0) * 1000);
    }
    case 'skip':
      r.skipType(wire);
      return undefined;
  }
}

function decodeMessage(r: PbReader, schema: Schema, strict = false, top = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (!done(r)) {
    const tag = r.uint32();
    const num = tag >>> 3;
    const wire = tag & 7;
    const f = schema[num];
    if (!f) {
      // Fields outside the tables (status, rarely used spec fields) are skipped: status is reset on create anyway.
      // Strict kinds: Go encodes every non-pointer field, empty or not; an empty one says nothing.
      if (strict && !(top && num === 3) && !isEmptyField(r, wire)) throw new Unsupported(`field ${num} is not decoded`);
      r.skipType(wire);
      continue;
    }
    if (f.type === 'skip') {
      r.skipType(wire);
      continue;
    }
    if (f.map) {
      const entry = decodeScalar(r, wire, { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: f.map } }, strict) as { key?: string; value?: unknown };
      const m = (out[f.name] ??= {}) as Record<string, unknown>;
      m[entry.key ?? ''] = entry.value ?? (f.map === 'string' || f.map === 'base64' ? '' : entry.value);
    } else if (f.repeated) {
      const list = (out[f.name] ??= []) as unknown[];
      if (wire === 2 && (f.type === 'int' || f.type === 'bool')) {
        const packed = newReader(r.bytes());
        while (!done(packed)) list.push(decodeScalar(packed, 0, f.type));
      } else list.push(decodeScalar(r, wire, f.type, strict));
    } else {
      const v = decodeScalar(r, wire, f.type, strict);
      // Go encodes every non-pointer string, empty or not, and omits the empty ones from JSON
      // (omitempty): `generateName: ""` must not appear in the stored object.
      if (f.omitZero && (v === 0 || v === false)) continue;
      if (v !== '' || f.type !== 'string') out[f.name] = v;
    }
  }
  return out;
}

/** Whether the field at the reader (not consumed) holds only zero values: 0, "", or a message of such. */
function isEmptyField(r: PbReader, wire: number): boolean {
  const pos = r.pos;
  try {
    if (wire === 0) return int64(r) === 0;
    if (wire !== 2) return false;
    return isEmptyMessage(newReader(r.bytes()));
  } catch {
    return false;
  } finally {
    r.pos = pos;
  }
}

function isEmptyMessage(r: PbReader): boolean {
  while (!done(r)) {
    const wire = r.uint32() & 7;
    if (!isEmptyField(r, wire)) return false;
    r.skipType(wire);
  }
  return true;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a `k8s\0` protobuf body into a JSON object; 415 (with the JSON/YAML advice) when it cannot. */
export function decodeProtobufObject(body: Buffer, advice: ApiError): Record<string, unknown> {
  try {
    if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Unsupported('missing k8s envelope');
    const unknown = decodeMessage(newReader(body.subarray(4)), UNKNOWN) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Buffer; contentEncoding?: string };
    const apiVersion = unknown.typeMeta?.apiVersion ?? '';
    const kind = unknown.typeMeta?.kind ?? '';
    const schema = KINDS[`${apiVersion}/${kind}`];
    if (!schema || !unknown.raw || unknown.contentEncoding) throw new Unsupported(`${apiVersion} ${kind}`);
    const obj = decodeMessage(newReader(unknown.raw), schema, STRICT.has(schema), true);
    return { apiVersion, kind, ...obj };
  } catch (e) {
    // protobufjs reports truncated or malformed bytes as a RangeError or Error("invalid wire type").
    if (e instanceof Unsupported || e instanceof RangeError || /wire type/.test((e as Error).message)) throw advice;
    throw e;
  }
}
