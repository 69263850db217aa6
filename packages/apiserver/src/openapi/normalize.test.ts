import { backfill, toOpenApi30 } from './normalize.ts';

describe('toOpenApi30', () => {
  it('hoists $defs and rewrites references', () => {
    const { schema, definitions } = toOpenApi30(
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { a: { $ref: '#/$defs/A' }, b: { $ref: '#/$defs/A', description: 'b' } },
        $defs: { A: { type: 'object', properties: { x: { const: 1 } } } },
      },
      'k.Kind',
    );
    expect(schema).toEqual({
      type: 'object',
      properties: {
        a: { $ref: '#/components/schemas/k.Kind.A' },
        b: { allOf: [{ $ref: '#/components/schemas/k.Kind.A' }], description: 'b' },
      },
    });
    expect(definitions).toEqual({ 'k.Kind.A': { type: 'object', properties: { x: { enum: [1] } } } });
  });

  it('turns null alternatives into nullable', () => {
    const { schema } = toOpenApi30(
      { type: 'object', properties: { a: { type: ['string', 'null'] }, b: { anyOf: [{ type: 'integer' }, { type: 'null' }] } } },
      'k',
    );
    expect(schema.properties).toEqual({ a: { type: 'string', nullable: true }, b: { type: 'integer', nullable: true } });
  });
});

describe('backfill', () => {
  it('follows references on both sides and keeps what the target already says', () => {
    const donorTable: Record<string, any> = { D: { type: 'object', properties: { n: { type: 'integer', description: 'from donor' } } } };
    const target: any = { type: 'object', properties: { inner: { $ref: '#/components/schemas/T' }, own: { type: 'string', description: 'mine' } } };
    const targetTable: Record<string, any> = { T: { type: 'object', properties: { n: { type: 'integer' } } } };
    const donor = { type: 'object', properties: { inner: { allOf: [{ $ref: '#/components/schemas/D' }], description: 'inner' }, own: { description: 'theirs' } } };
    const find = (t: Record<string, any>) => (ref: string) => t[ref.replace('#/components/schemas/', '')];
    backfill(target, donor, { target: find(targetTable), donor: find(donorTable) });
    expect(target.properties.inner.description).toBe('inner');
    expect(targetTable.T.properties.n.description).toBe('from donor');
    expect(target.properties.own.description).toBe('mine');
  });
});
