import type { KubeObject } from '@skiff/api';
import { ContainerConfigError } from './env.ts';
import { computeSecurity, CreateContainerError, type ContainerSecurityContext, type PodSecurityContext } from './security.ts';

const pod = (sc: PodSecurityContext = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u-1' }, spec: { securityContext: sc, containers: [] } }) as unknown as KubeObject;
const compute = (podSc: PodSecurityContext, sc: ContainerSecurityContext = {}, imageUser = '', profiles: Record<string, string> = {}) =>
  computeSecurity({ pod: pod(podSc), container: { name: 'app', securityContext: sc }, imageUser, readSeccompProfile: (n) => profiles[n] });

test('pod-level user and groups, overridden by the container; fsGroup joins the supplementary groups', () => {
  expect(compute({ runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000 })).toEqual({ user: '1000:3000', groupAdd: ['4000', '2000'], seccomp: { type: 'RuntimeDefault' } });
  expect(compute({ runAsUser: 1000, runAsGroup: 3000 }, { runAsUser: 1001 }).user).toBe('1001:3000');
  expect(compute({}, { runAsGroup: 5 }, 'nobody').user).toBe('nobody:5');
  expect(compute({}, { runAsGroup: 5 }, '').user).toBe('0:5');
  expect(compute({}).user).toBeUndefined(); // the image's user
});

test('privileged, read-only root, capabilities, no-new-privileges and seccomp', () => {
  expect(compute({}, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'CAP_SYS_TIME'], drop: ['all'] } })).toEqual({
    readOnlyRootFilesystem: true, noNewPrivileges: true, capAdd: ['NET_ADMIN', 'SYS_TIME'], capDrop: ['ALL'], seccomp: { type: 'RuntimeDefault' },
  });
  expect(compute({}, { privileged: true })).toEqual({ privileged: true, seccomp: { type: 'Unconfined' } });
  expect(compute({ seccompProfile: { type: 'Unconfined' } }).seccomp).toEqual({ type: 'Unconfined' });
  expect(compute({ seccompProfile: { type: 'Unconfined' } }, { seccompProfile: { type: 'RuntimeDefault' } }).seccomp).toEqual({ type: 'RuntimeDefault' });
  expect(compute({}, { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }, '', { 'p.json': '{"defaultAction":"SCMP_ACT_ALLOW"}' }).seccomp).toEqual({ type: 'Localhost', profile: '{"defaultAction":"SCMP_ACT_ALLOW"}' });
  expect(() => compute({}, { seccompProfile: { type: 'Localhost', localhostProfile: 'missing.json' } })).toThrow(CreateContainerError);
});

test('runAsNonRoot is checked against runAsUser, else the image user, with the kubelet messages', () => {
  const who = '(pod: "web_default(u-1)", container: app)';
  expect(() => compute({ runAsNonRoot: true })).toThrow(new ContainerConfigError(`container has runAsNonRoot and image will run as root ${who}`));
  expect(() => compute({ runAsNonRoot: true }, {}, '0:0')).toThrow(new ContainerConfigError(`container has runAsNonRoot and image will run as root ${who}`));
  expect(() => compute({ runAsNonRoot: true }, {}, 'nobody')).toThrow(new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root ${who}`));
  expect(() => compute({}, { runAsNonRoot: true, runAsUser: 0 })).toThrow(new ContainerConfigError(`container's runAsUser breaks non-root policy ${who}`));
  expect(compute({ runAsNonRoot: true }, {}, '1000').user).toBeUndefined();
  expect(compute({ runAsNonRoot: true, runAsUser: 1000 }, {}, '').user).toBe('1000');
  expect(compute({ runAsNonRoot: true }, { runAsNonRoot: false }, '').user).toBeUndefined();
});
