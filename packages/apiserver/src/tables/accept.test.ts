import { acceptsAs, parseAccept, tableAccept } from './accept.ts';

const KUBECTL_GET =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('parseAccept', () => {
  it('splits ranges and parameters', () => {
    expect(parseAccept('Application/JSON; as=Table ;V=v1, */*;q=0.8')).toEqual([
      { type: 'application/json', params: { as: 'Table', v: 'v1' } },
      { type: '*/*', params: { q: '0.8' } },
    ]);
  });
  it('is empty without a header', () => {
    expect(parseAccept(undefined)).toEqual([]);
  });
});

describe('tableAccept', () => {
  it("accepts kubectl get's header", () => {
    expect(tableAccept(KUBECTL_GET)).toBe(true);
  });
  it('accepts the parameters in any order', () => {
    expect(tableAccept('application/json;g=meta.k8s.io;v=v1;as=Table')).toBe(true);
  });
  it('refuses plain JSON, -o yaml and other versions', () => {
    expect(tableAccept('application/json')).toBe(false);
    expect(tableAccept(undefined)).toBe(false);
    expect(tableAccept('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toBe(false);
    expect(tableAccept('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).toBe(false);
    expect(tableAccept('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io')).toBe(false);
  });
  it('refuses a q=0 offer', () => {
    expect(tableAccept('application/json;as=Table;v=v1;g=meta.k8s.io;q=0')).toBe(false);
  });
});

describe('acceptsAs for aggregated discovery', () => {
  const want = { as: 'APIGroupDiscoveryList', g: 'apidiscovery.k8s.io', v: 'v2' };
  it('matches kubectl 1.32', () => {
    expect(
      acceptsAs(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
        want,
      ),
    ).toBe(true);
  });
  it('does not match v2beta1 only', () => {
    expect(acceptsAs('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList', want)).toBe(false);
  });
});
