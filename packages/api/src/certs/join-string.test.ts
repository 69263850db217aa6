import { bootstrapTokenSecret, formatJoinString, newBootstrapToken, parseJoinString } from './join-string.ts';

const HASH = 'a'.repeat(64);

test('a join string round-trips; a bare token or anything else is refused without echoing it', () => {
  const t = newBootstrapToken();
  expect(t.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  expect(parseJoinString(formatJoinString(HASH, t.token))).toEqual({ caHash: HASH, id: t.id, token: t.token });
  expect(() => parseJoinString(t.token)).toThrow('the join string lacks the CA hash');
  const bad = `K10${'g'.repeat(64)}::${t.token}`;
  expect(() => parseJoinString(bad)).toThrow('not a join string');
  try {
    parseJoinString(bad);
  } catch (e) {
    expect((e as Error).message).not.toContain(t.secret);
  }
});

test("the token's Secret has kubeadm's fields", () => {
  const s = bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef', ttlSeconds: 3600, description: 'd', now: new Date('2026-01-01T00:00:00Z') });
  const data = Object.fromEntries(Object.entries(s.data!).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  expect(s).toMatchObject({ metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' }, type: 'bootstrap.kubernetes.io/token' });
  expect(data).toEqual({
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': 'system:bootstrappers:skiff:default-node-token',
    expiration: '2026-01-01T01:00:00Z',
    description: 'd',
  });
  expect(bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef' }).data!.expiration).toBeUndefined();
});
