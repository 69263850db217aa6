import { objectRef, resolveResource } from './resolve.ts';

test('plural, singular, short names, kinds and group-qualified names', () => {
  expect(resolveResource('po').plural).toBe('pods');
  expect(resolveResource('deploy').kind).toBe('Deployment');
  expect(resolveResource('deployment.apps').group).toBe('apps');
  expect(resolveResource('Service').plural).toBe('services');
  expect(() => resolveResource('widgets')).toThrow(/doesn't have a resource type "widgets"/);
  expect(objectRef(resolveResource('deploy'), 'web')).toBe('deployment.apps/web');
  expect(objectRef(resolveResource('po'), 'web-1')).toBe('pod/web-1');
});
