import { ApiError, alreadyExists, conflict, invalid, namespaceTerminating, notFound, unsupportedMediaType } from './status.ts';

const deployments = { plural: 'deployments', group: 'apps', kind: 'Deployment' };
const pods = { plural: 'pods', group: '', kind: 'Pod' };

test('messages and details as kube-apiserver words them', () => {
  expect(notFound(pods, 'nope').toStatus()).toEqual({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404,
  });
  expect(alreadyExists(deployments, 'web').message).toBe('deployments.apps "web" already exists');
  expect(conflict(deployments, 'web').toStatus()).toMatchObject({
    code: 409,
    reason: 'Conflict',
    message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    details: { name: 'web', group: 'apps', kind: 'deployments' },
  });
  expect(namespaceTerminating(pods, 'p', 'x').message).toBe('pods "p" is forbidden: unable to create new content in namespace x because it is being terminated');
});

test('422 lists one cause plainly and several in brackets', () => {
  const one = invalid(deployments, 'bad', [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  expect(one.message).toBe('Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  const two = invalid(deployments, 'bad', [
    { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
    { reason: 'FieldValueRequired', field: 'spec.template.spec.containers[0].image', message: 'Required value' },
  ]);
  expect(two.message).toBe(
    'Deployment.apps "bad" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.spec.containers[0].image: Required value]',
  );
  expect(two.toStatus().details).toEqual({
    name: 'bad',
    group: 'apps',
    kind: 'Deployment',
    causes: [
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].image' },
    ],
  });
});

test('415 for protobuf suggests the client-side dry run', () => {
  const e = unsupportedMediaType('application/vnd.kubernetes.protobuf', []);
  expect(e).toBeInstanceOf(ApiError);
  expect(e.code).toBe(415);
  expect(e.message).toContain('kubectl apply -f -');
});
