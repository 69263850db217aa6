import { expandVars } from './expand.ts';

// Cases from the kubelet's expansion tests (third_party/forked/golang/expansion/expand_test.go).
const vars = new Map([
  ['VAR_A', 'A'],
  ['VAR_B', 'B'],
  ['VAR_C', 'C'],
  ['VAR_REF', '$(VAR_A)'],
  ['VAR_EMPTY', ''],
]);

test.each([
  ['$(VAR_A)', 'A'],
  ['___$(VAR_B)___', '___B___'],
  ['$(VAR_A)-$(VAR_A)', 'A-A'],
  ['$(VAR_A)$(VAR_B)$(VAR_C)', 'ABC'],
  ['$(VAR_REF)', '$(VAR_A)'], // values are not expanded twice
  ['$(VAR_EMPTY)', ''],
  ['$(UNKNOWN)', '$(UNKNOWN)'],
  ['$$(VAR_A)', '$(VAR_A)'], // escaped
  ['$$$(VAR_A)', '$A'],
  ['$$$$(VAR_A)', '$$(VAR_A)'],
  ['$(VAR_A', '$(VAR_A'], // incomplete
  ['$VAR_A', '$VAR_A'],
  ['$', '$'],
  ['foo$', 'foo$'],
  ['foo$()bar', 'foo$()bar'],
  ['f000-$$VAR_A', 'f000-$VAR_A'],
  ['$(VAR_A)$', 'A$'],
])('%s', (input, want) => {
  expect(expandVars(input, vars)).toBe(want);
});
