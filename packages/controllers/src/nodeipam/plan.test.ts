import { nextFreeBlock, nodeBlock, parseRangeConfig } from './plan.ts';

describe('node IPAM planning', () => {
  const cfg = parseRangeConfig('10.244.0.0/16');

  it('hands out the lowest free /24', () => {
    expect(nextFreeBlock(cfg, new Set())).toBe('10.244.0.0/24');
    expect(nextFreeBlock(cfg, new Set(['10.244.0.0/24', '10.244.2.0/24']))).toBe('10.244.1.0/24');
  });

  it('reports a full range', () => {
    const small = parseRangeConfig('10.1.0.0/23', 24);
    expect(nextFreeBlock(small, new Set(['10.1.0.0/24', '10.1.1.0/24']))).toBeUndefined();
  });

  it('recognises only blocks of the cluster CIDR and the node mask', () => {
    expect(nodeBlock(cfg, '10.244.7.0/24')).toBe('10.244.7.0/24');
    expect(nodeBlock(cfg, '10.245.7.0/24')).toBeUndefined();
    expect(nodeBlock(cfg, '10.244.0.0/25')).toBeUndefined();
    expect(nodeBlock(cfg, undefined)).toBeUndefined();
  });

  it('refuses a bad cluster CIDR or mask with a reason', () => {
    expect(() => parseRangeConfig('10.244.0.0')).toThrow(/invalid cluster CIDR/);
    expect(() => parseRangeConfig('10.244.0.0/16', 8)).toThrow(/mask size/);
  });
});
