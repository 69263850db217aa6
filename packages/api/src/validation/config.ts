// Validation of ConfigMap, Secret and ServiceAccount (pkg/apis/core/validation: ValidateConfigMap,
// ValidateSecret and their Update forms). Secret values never appear in a message: bad JSON in a
// docker config is reported as "<secret contents redacted>", as Kubernetes does.

import type { ConfigMap, Secret, ServiceAccount } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import {
  base64DecodedLength,
  MAX_SECRET_SIZE,
  SECRET_TYPE_BASIC_AUTH,
  SECRET_TYPE_DOCKERCFG,
  SECRET_TYPE_DOCKER_CONFIG_JSON,
  SECRET_TYPE_SERVICE_ACCOUNT_TOKEN,
  SECRET_TYPE_SSH_AUTH,
  SECRET_TYPE_TLS,
  SERVICE_ACCOUNT_NAME_ANNOTATION,
} from '../helpers/storage.ts';
import { forbidden, invalid, invalidEach, FIELD_IMMUTABLE, required, RawValue, tooLong } from './errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { maxLenError, regexError } from './strings.ts';

const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;

/** validation.IsConfigMapKey: the keys of ConfigMaps and Secrets (they become file names). */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push(maxLenError(253));
  if (!CONFIG_KEY_RE.test(key)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function sortedKeys(m: Record<string, unknown> | undefined): string[] {
  return Object.keys(m ?? {}).sort();
}

const utf8 = new TextEncoder();

export function validateConfigMap(cm: Incoming<ConfigMap>): FieldCause[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  let size = 0;
  const data = cm.data ?? {};
  const binaryData = cm.binaryData ?? {};
  for (const k of sortedKeys(data)) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    if (Object.hasOwn(binaryData, k)) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += utf8.encode(data[k]).length;
  }
  for (const k of sortedKeys(binaryData)) {
    errs.push(...invalidEach(`binaryData[${k}]`, k, isConfigMapKey(k)));
    size += base64DecodedLength(binaryData[k]);
  }
  // Kubernetes reports the whole object, with an empty field path.
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

/** `immutable: true` freezes the data and cannot be taken back. */
function immutableRules<T extends { immutable?: boolean }>(next: T, old: T, fields: (keyof T & string)[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const errs: FieldCause[] = [];
  if (next.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (JSON.stringify(sortObject(next[f] as Record<string, unknown> | undefined)) !== JSON.stringify(sortObject(old[f] as Record<string, unknown> | undefined))) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

/** A map with its keys sorted, so two equal maps serialise alike; empty and absent are the same (Go's nil map vs empty map compare unequal, but neither is ever stored differently here). */
function sortObject(m: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!m || Object.keys(m).length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}

export function validateConfigMapUpdate(cm: Incoming<ConfigMap>, old: Incoming<ConfigMap>): FieldCause[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  errs.push(...immutableRules(cm, old, ['data', 'binaryData']));
  errs.push(...validateConfigMap(cm).filter((c) => !c.field.startsWith('metadata.')));
  return errs;
}

/** Go's json.Unmarshal into map[string]interface{}: an object, or the error it gives. */
function jsonObjectError(b64: string): string | undefined {
  const text = Buffer.from(b64, 'base64').toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text.trim() === '' ? 'unexpected end of JSON input' : 'invalid character in JSON input';
  }
  if (v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    return `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v} into Go value of type map[string]interface {}`;
  }
  return undefined;
}

const REDACTED = new RawValue('"<secret contents redacted>"');

/** The keys each Secret type requires (ValidateSecret). */
function validateSecretType(secret: Incoming<Secret>): FieldCause[] {
  const data = secret.data ?? {};
  const has = (k: string) => Object.hasOwn(data, k);
  const errs: FieldCause[] = [];
  switch (secret.type) {
    case SECRET_TYPE_SERVICE_ACCOUNT_TOKEN:
      if (!secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) errs.push(required(`metadata.annotations[${SERVICE_ACCOUNT_NAME_ANNOTATION}]`));
      break;
    case SECRET_TYPE_DOCKERCFG:
    case SECRET_TYPE_DOCKER_CONFIG_JSON: {
      const key = secret.type === SECRET_TYPE_DOCKERCFG ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        errs.push(required(`data[${key}]`));
        break;
      }
      const bad = jsonObjectError(data[key]);
      if (bad) errs.push(invalid(`data[${key}]`, REDACTED, bad));
      break;
    }
    // Kubernetes builds these two paths from the literal "data[%s]", so its messages read
    // `data[%s][username]`; kept as is so clients matching on the field see the same text.
    case SECRET_TYPE_BASIC_AUTH:
      if (!has('username') && !has('password')) errs.push(required('data[%s][username]'), required('data[%s][password]'));
      break;
    case SECRET_TYPE_SSH_AUTH:
      if (!data['ssh-privatekey']) errs.push(required('data[%s][ssh-privatekey]'));
      break;
    case SECRET_TYPE_TLS:
      if (!has('tls.crt')) errs.push(required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(required('data[tls.key]'));
      break;
  }
  return errs;
}

export function validateSecret(secret: Incoming<Secret>): FieldCause[] {
  const errs = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain);
  let size = 0;
  const data = secret.data ?? {};
  for (const k of sortedKeys(data)) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    size += base64DecodedLength(data[k]);
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  errs.push(...validateSecretType(secret));
  return errs;
}

export function validateSecretUpdate(secret: Incoming<Secret>, old: Incoming<Secret>): FieldCause[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  if ((secret.type ?? '') !== (old.type ?? '')) errs.push(invalid('type', secret.type ?? '', FIELD_IMMUTABLE));
  errs.push(...immutableRules(secret, old, ['data']));
  errs.push(...validateSecret(secret).filter((c) => !c.field.startsWith('metadata.') || c.field === `metadata.annotations[${SERVICE_ACCOUNT_NAME_ANNOTATION}]`));
  return errs;
}

export function validateServiceAccount(sa: Incoming<ServiceAccount>): FieldCause[] {
  return validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain);
}
