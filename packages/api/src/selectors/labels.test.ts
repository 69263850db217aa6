import fc from 'fast-check';
import {
  formatLabelSelector,
  labelSelectorAsSelector,
  labelSelectorMatches,
  matches,
  parseSelector,
  selectorFromMap,
  selectorToString,
  SelectorError,
  type Requirement,
} from './labels.ts';

describe('parseSelector', () => {
  it('parses every operator', () => {
    const s = parseSelector('a=b,c==d,e!=f,g in (x, y),h notin (z),i,!j,k>3,l<10');
    expect(s.requirements.map((r) => [r.key, r.operator, r.values])).toEqual([
      ['a', '=', ['b']],
      ['c', '==', ['d']],
      ['e', '!=', ['f']],
      ['g', 'In', ['x', 'y']],
      ['h', 'NotIn', ['z']],
      ['i', 'Exists', []],
      ['j', 'DoesNotExist', []],
      ['k', 'Gt', ['3']],
      ['l', 'Lt', ['10']],
    ]);
  });

  it('sorts requirements by key and values within a set', () => {
    expect(selectorToString(parseSelector('z=1,a in (c,b)'))).toBe('a in (b,c),z=1');
  });

  it('treats empty input as everything and allows empty values', () => {
    expect(parseSelector('').requirements).toEqual([]);
    expect(parseSelector('  ').requirements).toEqual([]);
    expect(parseSelector('a=').requirements[0].values).toEqual(['']);
    expect(parseSelector('a in ()').requirements[0].values).toEqual(['']);
  });

  it('accepts prefixed keys', () => {
    expect(parseSelector('app.kubernetes.io/name=web').requirements[0].key).toBe('app.kubernetes.io/name');
  });

  it('words errors like labels.Parse', () => {
    expect(() => parseSelector('a b')).toThrow("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    expect(() => parseSelector('a=b,')).toThrow("found '', expected: identifier after ','");
    expect(() => parseSelector('a=b c')).toThrow("found 'c', expected: ',' or 'end of string'");
    expect(() => parseSelector('in=x')).toThrow("found 'in', expected: !, identifier, or 'end of string'");
  });

  it.each([
    ['a=b,', /expected: identifier/],
    [',a', /expected: !, identifier/],
    ['a in x', /expected: '\('/],
    ['a in (x', /expected/],
    ['a b', /expected: in, notin/],
    ['a=b c', /expected: in, notin|expected: ','/],
    ['a>b', /must be an integer/],
    ['a@=b', /unable to parse requirement: key: Invalid value: "a@"/],
    ['a=b@', /unable to parse requirement: values\[0\]\[a\]: Invalid value: "b@"/],
    ['!', /expected: identifier/],
  ])('rejects %j', (input, msg) => {
    expect(() => parseSelector(input)).toThrow(SelectorError);
    expect(() => parseSelector(input)).toThrow(msg);
  });
});

describe('matches', () => {
  const labels = { app: 'web', tier: 'fe', n: '5' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['n>4', true],
    ['n<5', false],
    ['app>1', false],
    ['app=web,tier=be', false],
    ['', true],
  ])('%s → %s', (sel, want) => {
    expect(matches(parseSelector(sel), labels)).toBe(want);
  });

  it('distinguishes nil (nothing) from empty (everything) LabelSelectors', () => {
    expect(matches(labelSelectorAsSelector(undefined), labels)).toBe(false);
    expect(matches(labelSelectorAsSelector({}), labels)).toBe(true);
    expect(matches(selectorFromMap({}), labels)).toBe(true);
  });

  it('converts LabelSelector objects', () => {
    const s = labelSelectorAsSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    expect(selectorToString(s)).toBe('app=web,!canary,tier in (be,fe)');
    expect(matches(s, labels)).toBe(true);
    expect(matches(s, { ...labels, canary: 'y' })).toBe(false);
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] })).toThrow(
      '"Equals" is not a valid label selector operator',
    );
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(SelectorError);
  });

  it('handles plain maps and formatting for kubectl', () => {
    expect(labelSelectorMatches({ app: 'web' }, labels)).toBe(true);
    expect(labelSelectorMatches({ app: 'db' }, labels)).toBe(false);
    expect(formatLabelSelector({ matchLabels: { app: 'web' } })).toBe('app=web');
    expect(formatLabelSelector({})).toBe('<none>');
  });
});

describe('round trip', () => {
  const name = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/);
  const key = fc.oneof(name, fc.tuple(fc.stringMatching(/^[a-z]{1,5}(\.[a-z]{1,5}){0,2}$/), name).map(([p, n]) => `${p}/${n}`));
  const value = fc.oneof(fc.constant(''), name);
  const requirement: fc.Arbitrary<Requirement> = fc.oneof(
    fc.record({ key, operator: fc.constantFrom('=' as const, '==' as const, '!=' as const), values: value.map((v) => [v]) }),
    fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }) }),
    fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant([]) }),
    fc.record({ key, operator: fc.constantFrom('Gt' as const, 'Lt' as const), values: fc.integer({ min: -99, max: 999 }).map((n) => [String(n)]) }),
  );

  it('parse(toString(s)) prints the same and matches the same labels', () => {
    fc.assert(
      fc.property(fc.array(requirement, { maxLength: 5 }), fc.dictionary(key, value, { maxKeys: 5 }), (reqs, labels) => {
        const text = reqs
          .map((r) => ({ ...r, values: [...r.values].sort() }))
          .map((r) => selectorToString({ requirements: [r] }))
          .join(',');
        const parsed = parseSelector(text);
        const again = parseSelector(selectorToString(parsed));
        expect(selectorToString(again)).toBe(selectorToString(parsed));
        expect(matches(again, labels)).toBe(matches(parsed, labels));
      }),
    );
  });
});
