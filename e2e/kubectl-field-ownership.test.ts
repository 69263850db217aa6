// Server-side apply with field ownership, as GitOps tools (Argo CD, Flux) and `kubectl apply
// --server-side` rely on (issue 13 §5), driven by the real kubectl v1.32: every write records its
// manager in managedFields (Update operations too), a conflicting apply is a 409 naming the other
// managers and fields, --force-conflicts takes ownership, and a field dropped from the applied
// configuration leaves the object unless another manager owns it.
import type { Kubectl } from './support/kubectl.ts';
import { useKubectlServer } from './support/server.ts';

let kubectl: Kubectl;
useKubectlServer((k) => (kubectl = k));

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...data } });

const managers = async (kind: string, name: string) => {
  const o = JSON.parse(await kubectl.ok(['get', kind, name, '-o', 'json', '--show-managed-fields']));
  return (o.metadata.managedFields ?? []).map((e: { manager: string; operation: string }) => `${e.manager}/${e.operation}`);
};

test('create, label and patch record their manager (operation Update)', async () => {
  await kubectl.ok(['create', '-f', '-'], cm('owned', {}, { tier: 'a' }));
  expect(await managers('service', 'owned')).toEqual(['kubectl-create/Update']);
  await kubectl.ok(['label', 'service', 'owned', 'tier=b', '--overwrite']);
  expect(await managers('service', 'owned')).toEqual(['kubectl-create/Update', 'kubectl-label/Update']);
  await kubectl.ok(['patch', 'service', 'owned', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
  expect(await managers('service', 'owned')).toEqual(['kubectl-create/Update', 'kubectl-label/Update', 'kubectl-patch/Update']);
});

test('a conflicting server-side apply is a 409 naming the other manager and field; --force-conflicts takes it', async () => {
  await kubectl.ok(['apply', '--server-side', '-f', '-'], cm('ssa', {}, { tier: 'a', team: 'x' }));
  expect(await managers('service', 'ssa')).toEqual(['kubectl/Apply']);
  // Someone else (kubectl label, a controller) changes a field the applier owns.
  await kubectl.ok(['label', 'service', 'ssa', 'tier=b', '--overwrite']);
  const conflict = await kubectl.run(['apply', '--server-side', '-f', '-'], cm('ssa', {}, { tier: 'a', team: 'x' }));
  expect(conflict.code).not.toBe(0);
  expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-label"');
  expect(conflict.stderr).toContain('.metadata.labels.tier');
  const forced = await kubectl.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], cm('ssa', {}, { tier: 'a', team: 'x' }));
  expect(forced).toContain('service/ssa serverside-applied');
  const o = JSON.parse(await kubectl.ok(['get', 'service', 'ssa', '-o', 'json']));
  expect(o.metadata.labels).toEqual({ tier: 'a', team: 'x' });
  expect(await managers('service', 'ssa')).toEqual(['kubectl/Apply']); // kubectl-label owned only tier
});

test('a field removed from the applied configuration is removed, unless another manager owns it', async () => {
  await kubectl.ok(['apply', '--server-side', '-f', '-'], cm('prune', {}, { a: '1', b: '2', c: '3' }));
  // Another manager takes c (an Update of its own value makes it the owner).
  await kubectl.ok(['label', 'service', 'prune', 'c=4', '--overwrite']);
  await kubectl.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], cm('prune', {}, { a: '1' }));
  const o = JSON.parse(await kubectl.ok(['get', 'service', 'prune', '-o', 'json']));
  expect(o.metadata.labels).toEqual({ a: '1', c: '4' });
});
