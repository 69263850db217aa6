import { toCreateOptions } from './mapping.ts';
import type { ContainerConfig } from '../types.ts';

const base: ContainerConfig = { name: 'c', image: 'skiff/busybox:1', env: [], labels: {}, ports: [] };

test('security settings become Docker host config: user, groups, caps, privileged, read-only root, security options', () => {
  const o = toCreateOptions({
    ...base,
    security: { user: '1000:3000', groupAdd: ['4000'], capAdd: ['NET_ADMIN'], capDrop: ['ALL'], readOnlyRootFilesystem: true, noNewPrivileges: true, seccomp: { type: 'Localhost', profile: '{"defaultAction":"SCMP_ACT_ALLOW"}' } },
  });
  expect(o.User).toBe('1000:3000');
  expect(o.HostConfig).toMatchObject({
    GroupAdd: ['4000'],
    CapAdd: ['NET_ADMIN'],
    CapDrop: ['ALL'],
    ReadonlyRootfs: true,
    SecurityOpt: ['no-new-privileges', 'seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'],
  });
  expect(toCreateOptions({ ...base, security: { privileged: true, seccomp: { type: 'Unconfined' } } }).HostConfig).toMatchObject({ Privileged: true, SecurityOpt: ['seccomp=unconfined'] });
  // RuntimeDefault: Docker's own default profile, nothing passed.
  const plain = toCreateOptions({ ...base, security: { seccomp: { type: 'RuntimeDefault' } } });
  expect(plain.User).toBeUndefined();
  expect(plain.HostConfig?.SecurityOpt).toBeUndefined();
  expect(plain.HostConfig?.Privileged).toBeUndefined();
});
