import { decodeText, findDuplicateJsonFields, findDuplicateYamlKeys } from './body.ts';
import { ApiError } from '../errors/status.ts';

describe('findDuplicateJsonFields', () => {
  test('finds duplicates with their full paths, including inside lists', () => {
    const text = '{"spec":{"replicas":1,"replicas":2,"template":{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}},"metadata":{"name":"x"}}';
    expect(findDuplicateJsonFields(text)).toEqual(['spec.replicas', 'spec.template.spec.containers[1].name']);
  });
  test('keys of different objects are not duplicates; strings with braces and escapes are skipped', () => {
    const text = '{"a":{"k":"{\\"k\\":1}"},"b":{"k":"x,y"},"c":[{"k":1},{"k":2}]}';
    expect(findDuplicateJsonFields(text)).toEqual([]);
  });
  test('escaped keys compare by value', () => {
    expect(findDuplicateJsonFields('{"a":1,"\\u0061":2}')).toEqual(['a']);
  });
});

describe('decodeText', () => {
  test('JSON and YAML into objects', () => {
    expect(decodeText('{"a":1}', 'json')).toEqual({ a: 1 });
    expect(decodeText('a: 1\nb: [x]\n', 'yaml')).toEqual({ a: 1, b: ['x'] });
  });
  test('malformed or non-object bodies are 400 BadRequest', () => {
    for (const [t, f] of [['{', 'json'], ['[1]', 'json'], ['"s"', 'json'], ['a: [', 'yaml'], ['', 'json']] as const) {
      let err: unknown;
      try {
        decodeText(t, f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(400);
    }
  });
});

test('findDuplicateYamlKeys names the key and line', () => {
  expect(findDuplicateYamlKeys('spec:\n  replicas: 1\n  replicas: 2\n')).toEqual(['line 3: key "replicas" already set in map']);
  expect(findDuplicateYamlKeys('a: 1\nb:\n  a: 2\n')).toEqual([]);
});
