import type { KubeObject } from '@skiff/api';
import { planClaimRepair, type Suspect } from './service-claim-repair.ts';

const svc = (ns: string, name: string, clusterIP: string, nodePort?: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: ns, name },
  spec: { clusterIP, clusterIPs: [clusterIP], ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
});
const claim = (name: string, owner: string, rv = '7'): KubeObject => ({ apiVersion: 'v1', kind: 'AddressClaim', metadata: { name, resourceVersion: rv, annotations: { 'skiff.io/service': owner } } });

test('claims their Services explain are left alone', () => {
  const plan = planClaimRepair([svc('a', 'web', '10.96.0.10', 30001)], [claim('ip-10.96.0.10', 'a/web'), claim('port-30001', 'a/web')], new Map());
  expect(plan).toEqual({ release: [], claim: [], suspects: new Map() });
});

test('a leaked claim is given back only after three passes that saw it unchanged', () => {
  const claims = [claim('ip-10.96.0.99', 'a/ghost', '12')];
  let suspects: Map<string, Suspect> = new Map();
  for (let pass = 1; pass <= 2; pass++) {
    const plan = planClaimRepair([], claims, suspects);
    expect(plan.release).toEqual([]);
    expect(plan.suspects.get('ip-10.96.0.99')).toEqual({ revision: '12', passes: pass });
    suspects = plan.suspects;
  }
  const third = planClaimRepair([], claims, suspects);
  expect(third.release).toEqual([{ name: 'ip-10.96.0.99', revision: 12 }]);
  expect(third.suspects.size).toBe(0);
});

test('a claim that changed between passes (taken again) starts counting afresh; one its Service now explains is dropped from the suspects', () => {
  const first = planClaimRepair([], [claim('ip-10.96.0.5', 'a/x', '3')], new Map());
  const second = planClaimRepair([], [claim('ip-10.96.0.5', 'a/y', '9')], first.suspects);
  expect(second.suspects.get('ip-10.96.0.5')).toEqual({ revision: '9', passes: 1 });
  // The create that took it finished: its Service is stored now.
  const third = planClaimRepair([svc('a', 'y', '10.96.0.5')], [claim('ip-10.96.0.5', 'a/y', '9')], second.suspects);
  expect(third).toEqual({ release: [], claim: [], suspects: new Map() });
});

test('a Service that no longer has an address (a NodePort dropped by an update) leaks that claim', () => {
  const plan = planClaimRepair([svc('a', 'web', '10.96.0.10')], [claim('ip-10.96.0.10', 'a/web'), claim('port-30001', 'a/web')], new Map(), 1);
  expect(plan.release).toEqual([{ name: 'port-30001', revision: 7 }]);
});

test('addresses Services hold without a claim are claimed for them; a leaked claim on a live Service\'s address is re-taken once released', () => {
  const services = [svc('a', 'old', '10.96.0.20', 30020), svc('b', 'moved', '10.96.0.21')];
  const plan = planClaimRepair(services, [claim('ip-10.96.0.21', 'b/someone-else')], new Map(), 1);
  expect(plan.release).toEqual([{ name: 'ip-10.96.0.21', revision: 7 }]);
  expect(plan.claim).toEqual([
    { name: 'ip-10.96.0.20', owner: 'a/old' },
    { name: 'port-30020', owner: 'a/old' },
    { name: 'ip-10.96.0.21', owner: 'b/moved' },
  ]);
  // Not yet released: the suspect still holds it.
  expect(planClaimRepair(services, [claim('ip-10.96.0.21', 'b/someone-else')], new Map()).claim.map((c) => c.name)).toEqual(['ip-10.96.0.20', 'port-30020']);
});
