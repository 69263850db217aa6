import { decodeObject } from '../decode.ts';
import { CONFIG_MAPS, SECRETS } from '../resources.ts';
import { applyDefaults } from '../defaults/index.ts';
import { isConfigMapKey, validateSecret } from './config.ts';

test('config keys: characters, length and the chdir prefixes', () => {
  expect(isConfigMapKey('app.conf')).toEqual([]);
  expect(isConfigMapKey('.env')).toEqual([]);
  expect(isConfigMapKey('.')).toEqual(["must not be '.'"]);
  expect(isConfigMapKey('..')).toEqual(["must not be '..'"]);
  expect(isConfigMapKey('..data')).toEqual(["must not start with '..'"]);
  expect(isConfigMapKey('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  expect(isConfigMapKey('a/b')).toHaveLength(1);
});

test('[]byte fields: canonical base64 stored, CR/LF ignored, bad input names the byte', () => {
  const ok = decodeObject(SECRETS, { metadata: { name: 's' }, data: { a: 'aGVs\nbG8=', b: 'YR==' } });
  expect(ok.ok && ok.object.data).toEqual({ a: 'aGVsbG8=', b: 'YQ==' });
  const bad = decodeObject(CONFIG_MAPS, { metadata: { name: 'c' }, binaryData: { a: 'ab=c' } });
  expect(bad).toEqual({ ok: false, message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 2' });
  const short = decodeObject(SECRETS, { metadata: { name: 's' }, data: { a: 'abcde' } });
  expect(short.ok).toBe(false);
});

test('stringData overrides data and disappears; the type defaults to Opaque', () => {
  const s = applyDefaults(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { a: 'y', b: 'z' } });
  expect(s).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'eQ==', b: 'eg==' } });
});

test('a dockercfg Secret needs valid JSON, reported without the value', () => {
  const causes = validateSecret({ metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': Buffer.from('[1]').toString('base64') } });
  expect(causes).toEqual([
    {
      reason: 'FieldValueInvalid',
      field: 'data[.dockercfg]',
      message: 'Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
    },
  ]);
});
