import { computeFitErrorMessage, NO_NODES } from './fit-error.ts';

describe('FailedScheduling message', () => {
  test('counts reasons per node, most frequent first', () => {
    const msg = computeFitErrorMessage(3, [['Insufficient cpu'], ['node(s) had untolerated taint {dedicated: gpu}'], ['Insufficient cpu']]);
    expect(msg).toBe('0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.');
  });

  test('a node with several reasons counts for each; ties alphabetically', () => {
    const msg = computeFitErrorMessage(2, [['Insufficient cpu', 'Insufficient memory'], ['Too many pods']]);
    expect(msg).toBe('0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods.');
  });

  test('no nodes at all', () => {
    expect(computeFitErrorMessage(0, [])).toBe(NO_NODES);
  });
});
