import type { CertificateSigningRequest, ParsedCertificateRequest } from '@skiff/api';
import { approvalPermissions, permissionAttributes, planApproval, planSigning } from './plan.ts';

const req = (o: Partial<ParsedCertificateRequest> = {}): ParsedCertificateRequest =>
  ({ commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], signatureValid: true, publicKey: undefined as never, ...o }) as ParsedCertificateRequest;

const csr = (spec: Partial<CertificateSigningRequest['spec']>, conditions: { type: string; status: string }[] = []): CertificateSigningRequest => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'x' },
  spec: { request: '', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], ...spec },
  status: { conditions },
});

const bootstrapper = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };
const node = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

describe('planApproval', () => {
  // What the bootstrap policy grants: nodeclient to system:bootstrappers, selfnodeclient to system:nodes.
  const asBootstrapper = { nodeclient: true, selfnodeclient: false };
  const asNode = { nodeclient: false, selfnodeclient: true };
  const nothing = { nodeclient: false, selfnodeclient: false };

  test('approved when the authorizer allows nodeclient (a new node) or selfnodeclient (the node in the CN renewing)', () => {
    expect(planApproval(csr(bootstrapper), req(), asBootstrapper)).toEqual({ approve: 'Auto approving kubelet client certificate after SubjectAccessReview.' });
    expect(planApproval(csr({ ...bootstrapper, usages: ['digital signature', 'key encipherment', 'client auth'] }), req(), asBootstrapper)).toEqual({ approve: expect.any(String) });
    expect(planApproval(csr(node), req(), asNode)).toEqual({ approve: 'Auto approving self kubelet client certificate after SubjectAccessReview.' });
    // Not the groups: whoever the authorizer allows (an admin bound nodeclient to another group), and only them.
    expect(planApproval(csr({ username: 'provisioner', groups: ['joiners'] }), req(), asBootstrapper)).toEqual({ approve: expect.stringContaining('kubelet client') });
    expect(planApproval(csr(bootstrapper), req(), nothing)).toBeUndefined();
    // A node renewing its own without selfnodeclient (an admin revoked it): left for a human.
    expect(planApproval(csr(node), req(), nothing)).toBeUndefined();
  });

  test('asks nothing about a decided request', () => {
    expect(approvalPermissions(csr(bootstrapper))).toEqual(['selfnodeclient', 'nodeclient']);
    expect(approvalPermissions(csr(bootstrapper, [{ type: 'Approved', status: 'True' }]))).toEqual([]);
    expect(permissionAttributes('nodeclient')).toEqual({ group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'nodeclient', verb: 'create' });
  });

  test('what a node may not have is denied with the reason', () => {
    expect(planApproval(csr(bootstrapper), req({ commonName: 'root' }), asBootstrapper)).toEqual({ deny: { reason: 'NotAllowed', message: 'not a node client certificate request: subject common name does not begin with system:node:' } });
    expect(planApproval(csr(bootstrapper), req({ organizations: ['system:nodes', 'system:masters'] }), asBootstrapper)).toMatchObject({ deny: { message: expect.stringContaining('organization is not system:nodes') } });
    expect(planApproval(csr(bootstrapper), req({ ipAddresses: ['10.0.0.1'] }), asBootstrapper)).toMatchObject({ deny: { message: expect.stringContaining('IP subjectAltNames are not allowed') } });
    expect(planApproval(csr({ ...bootstrapper, usages: ['client auth'] }), req(), asBootstrapper)).toMatchObject({ deny: { message: expect.stringContaining('usages did not match') } });
    expect(planApproval(csr(bootstrapper), req({ commonName: 'system:node:Bad_Name' }), asBootstrapper)).toMatchObject({ deny: { message: expect.stringContaining('is not a valid node name') } });
    expect(planApproval(csr(node), req({ commonName: 'system:node:n2' }), asNode)).toMatchObject({ deny: { message: expect.stringContaining('only its own client certificate') } });
    expect(planApproval(csr(bootstrapper), req({ signatureValid: false }), asBootstrapper)).toMatchObject({ deny: { message: expect.stringContaining('not signed by the key') } });
    expect(planApproval(csr({ ...bootstrapper, signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] }), req({ ipAddresses: ['10.0.0.1'] }), asBootstrapper)).toMatchObject({ deny: { message: expect.stringContaining('only a node') } });
    // Someone who is not joining is not told anything, whatever they may do: the request waits for a human.
    expect(planApproval(csr({ username: 'jane', groups: ['devs'] }), req({ commonName: 'root' }), nothing)).toBeUndefined();
    const admin = { username: 'skiff-admin', groups: ['system:masters', 'system:authenticated'] };
    const all = { nodeclient: true, selfnodeclient: true };
    expect(planApproval(csr(admin), req({ commonName: 'root' }), all)).toBeUndefined();
    expect(planApproval(csr({ ...admin, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] }), req({ commonName: 'jane', organizations: [] }), all)).toBeUndefined();
  });

  test("a node's own serving certificate is approved; anyone else's requests stay pending; decided ones are left alone", () => {
    const serving = csr({ ...node, signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] });
    expect(planApproval(serving, req({ ipAddresses: ['10.0.0.1'] }), asNode)).toEqual({ approve: expect.stringContaining('serving') });
    expect(planApproval(serving, req(), asNode)).toMatchObject({ deny: { message: expect.stringContaining('DNS or IP subjectAltName is required') } });
    expect(planApproval(csr({ username: 'jane', groups: ['devs'] }), req(), nothing)).toBeUndefined();
    expect(planApproval(csr(bootstrapper, [{ type: 'Denied', status: 'True' }]), req(), asBootstrapper)).toBeUndefined();
    expect(planApproval(csr(bootstrapper, [{ type: 'Approved', status: 'True' }]), req(), asBootstrapper)).toBeUndefined();
  });
});

describe('planSigning', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const approved = (spec: Partial<CertificateSigningRequest['spec']> = {}) => csr({ ...bootstrapper, ...spec }, [{ type: 'Approved', status: 'True' }]);

  test('a year by default, backdated 5 minutes, the end pulled in by the backdate', () => {
    const p = planSigning(approved(), req(), now);
    expect(p).toMatchObject({ sign: { commonName: 'system:node:n1', organizations: ['system:nodes'], usage: 'client', sans: [] } });
    const s = (p as { sign: { notBefore: Date; notAfter: Date } }).sign;
    expect(now.getTime() - s.notBefore.getTime()).toBe(300_000);
    expect(s.notAfter.getTime() - now.getTime()).toBe(365 * 86_400_000 - 300_000);
  });

  test('expirationSeconds within [10 min, the maximum]; a short lifetime is backdated by a tenth at most, its end not pulled in', () => {
    const tenMin = (planSigning(approved({ expirationSeconds: 600 }), req(), now) as { sign: { notBefore: Date; notAfter: Date } }).sign;
    expect(tenMin.notAfter.getTime() - now.getTime()).toBe(600_000);
    expect(now.getTime() - tenMin.notBefore.getTime()).toBe(60_000);
    const capped = (planSigning(approved({ expirationSeconds: 7200 }), req(), now, 30) as { sign: { notBefore: Date; notAfter: Date } }).sign;
    expect(capped.notAfter.getTime() - now.getTime()).toBe(30_000);
    expect(now.getTime() - capped.notBefore.getTime()).toBe(3_000);
  });

  test('serving certificates carry the SANs; a request the signer does not accept fails; unapproved, denied, issued or foreign ones are left alone', () => {
    const serving = approved({ signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] });
    expect(planSigning(serving, req({ ipAddresses: ['10.0.0.1'], dnsNames: ['n1'] }), now)).toMatchObject({ sign: { usage: 'server', sans: ['n1', '10.0.0.1'] } });
    expect(planSigning(approved(), req({ commonName: 'root' }), now)).toEqual({ fail: 'subject common name does not begin with system:node:' });
    expect(planSigning(approved({ signerName: 'kubernetes.io/kube-apiserver-client', usages: ['server auth'] }), req(), now)).toEqual({ fail: 'invalid usage for client certificate: server auth' });
    expect(planSigning(csr(bootstrapper), req(), now)).toBeUndefined();
    expect(planSigning(csr(bootstrapper, [{ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }]), req(), now)).toBeUndefined();
    expect(planSigning(approved({ signerName: 'example.com/other' }), req(), now)).toBeUndefined();
  });
});
