import fc from 'fast-check';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { PatchError } from './errors.ts';
import type { JsonObject, JsonValue } from './json.ts';

function errorOf(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error('expected a PatchError');
}

function deployment(podSpec: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { a: '1' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
      ...extra,
    },
  };
}
const podSpecOf = (o: JsonValue) => (o as any).spec.template.spec;

describe('applyStrategicMergePatch: what kubectl sends', () => {
  test('kubectl apply (client-side): annotations, labels null, replicas, $setElementOrder, container merge, ports null', () => {
    const live = deployment({
      containers: [{ name: 'web', image: 'x:1', ports: [{ containerPort: 80, protocol: 'TCP' }], imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always',
    });
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}' }, labels: null },
      spec: {
        replicas: 3,
        template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'x:2', name: 'web', ports: null }] } },
      },
    };
    const out = applyStrategicMergePatch(live, patch, 'Deployment') as any;
    expect(out.metadata).toEqual({ name: 'web', annotations: { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{...}' } });
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.template.spec).toEqual({
      containers: [{ name: 'web', image: 'x:2', imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always',
    });
    expect(JSON.stringify(out)).not.toContain('$');
  });

  test('kubectl rollout restart: only the template annotation changes', () => {
    const live = deployment({ containers: [{ name: 'web', image: 'x:1' }] });
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } };
    const out = applyStrategicMergePatch(live, patch, 'Deployment') as any;
    expect(out.spec.template.metadata).toEqual({
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' },
    });
    expect(out.spec.template.spec).toEqual(live.spec && (live as any).spec.template.spec);
  });

  test('kubectl apply removing one container port: $patch delete by containerPort', () => {
    const live = deployment({ containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80 }, { containerPort: 8080, name: 'metrics' }] }] });
    const patch = {
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'web' }],
        containers: [{ '$setElementOrder/ports': [{ containerPort: 80 }], name: 'web', ports: [{ $patch: 'delete', containerPort: 8080 }] }],
      } } },
    };
    expect(podSpecOf(applyStrategicMergePatch(live, patch, 'Deployment'))).toEqual({
      containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80 }] }],
    });
  });

  test('kubectl apply removing an env var: $patch delete by name, others kept', () => {
    const live = deployment({ containers: [{ name: 'web', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }] }] });
    const patch = {
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'web' }],
        containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ $patch: 'delete', name: 'B' }], name: 'web' }],
      } } },
    };
    expect(podSpecOf(applyStrategicMergePatch(live, patch, 'Deployment')).containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'C', value: '3' },
    ]);
  });

  test('kubectl apply removing a whole container, and adding one', () => {
    const live = deployment({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] });
    const remove = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ $patch: 'delete', name: 'b' }] } } } };
    expect(podSpecOf(applyStrategicMergePatch(live, remove, 'Deployment')).containers).toEqual([{ name: 'a', image: 'a' }]);
    const add = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }, { name: 'b' }], containers: [{ name: 'c', image: 'c' }] } } } };
    expect(podSpecOf(applyStrategicMergePatch(live, add, 'Deployment')).containers.map((c: any) => c.name)).toEqual(['a', 'c', 'b']);
  });

  test('an env value changed in one container leaves the other containers alone', () => {
    const live = deployment({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b' }] });
    const patch = { spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '2' }, { name: 'Y', value: 'new' }] }] } } } };
    expect(podSpecOf(applyStrategicMergePatch(live, patch, 'Deployment')).containers).toEqual([
      { name: 'a', env: [{ name: 'X', value: '2' }, { name: 'Y', value: 'new' }] },
      { name: 'b', image: 'b' },
    ]);
  });

  test('kubectl set image style patch on a Pod (paths under spec.*)', () => {
    const pod = { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } };
    const out = applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'b', image: 'b:2' }] } }, 'Pod') as any;
    expect(out.spec.containers).toEqual([{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }]);
  });
});

describe('applyStrategicMergePatch: ordering', () => {
  const live = deployment({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  const names = (o: JsonValue) => podSpecOf(o).containers.map((c: any) => c.name);

  test('$setElementOrder reorders the merged list', () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }] } } } };
    expect(names(applyStrategicMergePatch(live, patch, 'Deployment'))).toEqual(['c', 'b', 'a']);
  });

  test('without $setElementOrder, patch items take the patch order and server-only items keep their place', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'c', image: 'c' }, { name: 'a', image: 'a' }] } } } };
    expect(names(applyStrategicMergePatch(live, patch, 'Deployment'))).toEqual(['b', 'c', 'a']);
    // A new item leads the server-only ones, as in Kubernetes (its docs' patch-demo example:
    // the added redis container comes before the existing nginx one).
    const added = { spec: { template: { spec: { containers: [{ name: 'd' }] } } } };
    expect(names(applyStrategicMergePatch(live, added, 'Deployment'))).toEqual(['d', 'a', 'b', 'c']);
  });

  test('a patch list that contradicts $setElementOrder is 400', () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] } } } };
    expect(errorOf(() => applyStrategicMergePatch(live, patch, 'Deployment')).code).toBe(400);
    const notList = { spec: { template: { spec: { '$setElementOrder/containers': { name: 'a' } } } } };
    expect(errorOf(() => applyStrategicMergePatch(live, notList, 'Deployment')).code).toBe(400);
  });

  test('$setElementOrder of a primitive set (finalizers)', () => {
    const obj = { metadata: { name: 'x', finalizers: ['a', 'b'] } };
    const out = applyStrategicMergePatch(obj, { metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'], finalizers: ['c'] } }, 'Namespace') as any;
    expect(out.metadata.finalizers).toEqual(['b', 'c', 'a']);
  });
});

describe('applyStrategicMergePatch: directives', () => {
  test('$retainKeys switches a volume source (emptyDir -> hostPath)', () => {
    const live = deployment({ volumes: [{ name: 'data', emptyDir: {} }, { name: 'other', emptyDir: {} }] });
    const patch = { spec: { template: { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], hostPath: { path: '/d' }, name: 'data' }] } } } };
    expect(podSpecOf(applyStrategicMergePatch(live, patch, 'Deployment')).volumes).toEqual([
      { name: 'data', hostPath: { path: '/d' } },
      { name: 'other', emptyDir: {} },
    ]);
  });

  test('$retainKeys switches a Deployment strategy (RollingUpdate -> Recreate)', () => {
    const live = deployment({ containers: [] }, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } };
    expect((applyStrategicMergePatch(live, patch, 'Deployment') as any).spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('$retainKeys: setting an unlisted key is 400; a non-list is 400', () => {
    const live = deployment({}, { strategy: { type: 'RollingUpdate' } });
    expect(errorOf(() => applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, 'Deployment')).code).toBe(400);
    expect(errorOf(() => applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: 'type' } } }, 'Deployment')).code).toBe(400);
  });

  test('$patch: replace on a map replaces it', () => {
    const live = deployment({});
    const out = applyStrategicMergePatch(live, { metadata: { labels: { $patch: 'replace', tier: 'front' } } }, 'Deployment') as any;
    expect(out.metadata.labels).toEqual({ tier: 'front' });
    expect(out.metadata.annotations).toEqual({ a: '1' });
  });

  test('$patch: replace as a list element replaces the list', () => {
    const live = deployment({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] });
    const patch = { spec: { template: { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } } } };
    expect(podSpecOf(applyStrategicMergePatch(live, patch, 'Deployment')).containers).toEqual([{ name: 'z', image: 'z' }]);
  });

  test('$patch: delete on a map removes it', () => {
    const live = deployment({ affinity: { nodeAffinity: { x: 1 } }, containers: [] });
    expect(podSpecOf(applyStrategicMergePatch(live, { spec: { template: { spec: { affinity: { $patch: 'delete' } } } } }, 'Deployment'))).toEqual({ containers: [] });
    expect(applyStrategicMergePatch(live, { $patch: 'delete' }, 'Deployment')).toEqual({});
  });

  test('$patch: merge is the default and accepted', () => {
    const out = applyStrategicMergePatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { $patch: 'merge', b: '2' } } }, 'Pod') as any;
    expect(out.metadata.labels).toEqual({ a: '1', b: '2' });
  });

  test('unknown $patch values are 400; a delete element without its merge key is 400', () => {
    expect(errorOf(() => applyStrategicMergePatch({}, { metadata: { $patch: 'explode' } }, 'Pod')).code).toBe(400);
    expect(errorOf(() => applyStrategicMergePatch({ spec: { containers: [] } }, { spec: { containers: [{ $patch: 'explode', name: 'a' }] } }, 'Pod')).code).toBe(400);
    expect(errorOf(() => applyStrategicMergePatch({ spec: { containers: [] } }, { spec: { containers: [{ $patch: 'delete' }] } }, 'Pod')).code).toBe(400);
  });

  test('$deleteFromPrimitiveList and set-merge of finalizers', () => {
    const obj = { metadata: { name: 'x', finalizers: ['a', 'b', 'c'] } };
    const out = applyStrategicMergePatch(obj, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['d', 'a'] } }, 'Pod') as any;
    expect(out.metadata.finalizers.sort()).toEqual(['a', 'c', 'd']);
    expect(errorOf(() => applyStrategicMergePatch(obj, { metadata: { '$deleteFromPrimitiveList/finalizers': 'b' } }, 'Pod')).code).toBe(400);
  });

  test('directives inside values the live object lacks are honoured, not stored', () => {
    const out = applyStrategicMergePatch({ spec: {} }, { spec: { containers: [{ name: 'gone', $patch: 'delete' }, { name: 'a', env: null }], affinity: { $patch: 'replace', x: 1 } } }, 'Pod');
    expect(out).toEqual({ spec: { containers: [{ name: 'a' }], affinity: { x: 1 } } });
  });

  test('unknown $-keys are dropped', () => {
    expect(applyStrategicMergePatch({ a: 1 }, { $foo: 1, b: 2 }, 'Pod')).toEqual({ a: 1, b: 2 });
  });
});

describe('applyStrategicMergePatch: merge keys by kind and path', () => {
  test('Service ports merge by port', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }, { port: 443, name: 'https' }] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service') as any;
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090, name: 'http' }, { port: 443, name: 'https' }]);
  });

  test('container ports merge by containerPort, not port', () => {
    const pod = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] } };
    const out = applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 81 }] }] } }, 'Pod') as any;
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 81 }, { containerPort: 80, name: 'http' }]);
  });

  test('volumeMounts merge by mountPath; imagePullSecrets and initContainers by name', () => {
    const pod = { spec: {
      initContainers: [{ name: 'i', image: 'i:1' }],
      imagePullSecrets: [{ name: 's1' }],
      containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/a' }] }],
    } };
    const out = applyStrategicMergePatch(pod, { spec: {
      initContainers: [{ name: 'j', image: 'j:1' }],
      imagePullSecrets: [{ name: 's2' }],
      containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/b' }] }],
    } }, 'Pod') as any;
    expect(out.spec.initContainers.map((c: any) => c.name)).toEqual(['j', 'i']);
    expect(out.spec.imagePullSecrets).toEqual([{ name: 's2' }, { name: 's1' }]);
    expect(out.spec.containers[0].volumeMounts).toEqual([{ name: 'v', mountPath: '/b' }, { name: 'v', mountPath: '/a' }]);
  });

  test('tolerations, container args, and Endpoints subsets are replaced', () => {
    const pod = { spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'c', args: ['1', '2'] }] } };
    const out = applyStrategicMergePatch(pod, { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', args: ['3'] }] } }, 'Pod') as any;
    expect(out.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(out.spec.containers[0].args).toEqual(['3']);
    const ep = { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };
    expect(applyStrategicMergePatch(ep, { subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] }, 'Endpoints')).toEqual({ subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] });
  });

  test('Node: taints replaced, conditions and addresses merged by type', () => {
    const node = {
      spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'False' }], addresses: [{ type: 'InternalIP', address: '127.0.1.1' }] },
    };
    const out = applyStrategicMergePatch(node, {
      spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'Hostname', address: 'n1' }] },
    }, 'Node') as any;
    expect(out.spec.taints).toEqual([{ key: 'b', effect: 'NoExecute' }]);
    expect(out.status.conditions).toEqual([{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }]);
    expect(out.status.addresses).toEqual([{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '127.0.1.1' }]);
  });

  test('Pod and workload status conditions merge by type', () => {
    const pod = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } };
    expect((applyStrategicMergePatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Pod') as any).status.conditions)
      .toEqual([{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
    const rs = { status: { conditions: [{ type: 'ReplicaFailure', status: 'True' }] } };
    expect((applyStrategicMergePatch(rs, { status: { conditions: [{ type: 'Other', status: 'True' }] } }, 'ReplicaSet') as any).status.conditions).toHaveLength(2);
  });

  test('ownerReferences merge by uid (for every kind)', () => {
    const obj = { metadata: { ownerReferences: [{ uid: 'u1', name: 'a', controller: true }] } };
    const out = applyStrategicMergePatch(obj, { metadata: { ownerReferences: [{ uid: 'u2', name: 'b' }, { uid: 'u1', controller: false }] } }, 'Event') as any;
    expect(out.metadata.ownerReferences).toEqual([{ uid: 'u2', name: 'b' }, { uid: 'u1', name: 'a', controller: false }]);
  });

  test('an unknown kind merges metadata lists but replaces the rest', () => {
    const obj = { metadata: { finalizers: ['a'] }, spec: { containers: [{ name: 'a' }] } };
    const out = applyStrategicMergePatch(obj, { metadata: { finalizers: ['b'] }, spec: { containers: [{ name: 'b' }] } }, 'Widget') as any;
    expect(out.metadata.finalizers).toEqual(['b', 'a']);
    expect(out.spec.containers).toEqual([{ name: 'b' }]);
  });

  test('Pod paths do not apply to a Deployment top level, and vice versa', () => {
    const deploy = { spec: { containers: [{ name: 'a' }] } }; // not a Deployment field: replaced
    expect((applyStrategicMergePatch(deploy, { spec: { containers: [{ name: 'b' }] } }, 'Deployment') as any).spec.containers).toEqual([{ name: 'b' }]);
  });
});

describe('applyStrategicMergePatch: errors and safety', () => {
  test('a patch that is not an object is 400', () => {
    for (const p of [null, [1], 'x', 3]) expect(errorOf(() => applyStrategicMergePatch({}, p, 'Pod')).code).toBe(400);
  });

  test('a merge-list element without its merge key is 400', () => {
    const e = errorOf(() => applyStrategicMergePatch({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ image: 'x' }] } }, 'Pod'));
    expect(e.code).toBe(400);
    expect(e.message).toMatch(/merge key: name/);
  });

  test('a list of lists in a merge list is 422, as in Kubernetes', () => {
    expect(errorOf(() => applyStrategicMergePatch({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [['x']] } }, 'Pod')).code).toBe(422);
  });

  test('type changes replace the value', () => {
    expect(applyStrategicMergePatch({ a: { b: 1 } }, { a: [1] }, 'Pod')).toEqual({ a: [1] });
    expect(applyStrategicMergePatch({ a: [1] }, { a: { b: 1 } }, 'Pod')).toEqual({ a: { b: 1 } });
    expect(applyStrategicMergePatch({ spec: { containers: 'x' } }, { spec: { containers: [{ name: 'a', $patch: 'delete' }, { name: 'b' }] } }, 'Pod')).toEqual({ spec: { containers: [{ name: 'b' }] } });
  });

  test('does not mutate its inputs; result shares nothing with them', () => {
    const live = deployment({ containers: [{ name: 'web', image: 'x:1', env: [{ name: 'A', value: '1' }] }] });
    const patch = { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '2' }] }] } } } };
    const before = JSON.stringify([live, patch]);
    const out = applyStrategicMergePatch(live, patch, 'Deployment') as any;
    expect(JSON.stringify([live, patch])).toBe(before);
    out.metadata.labels.app = 'changed';
    out.spec.template.spec.containers[0].env[1].value = 'changed';
    expect(JSON.stringify([live, patch])).toBe(before);
  });

  // Without lists and directives, strategic merge patch is exactly RFC 7386 merge patch.
  const listFree = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.oneof(fc.string(), fc.integer(), fc.boolean()), tie('object')),
    object: fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.oneof(tie('value'), fc.constant(null)), { maxKeys: 4 }),
  })).object as fc.Arbitrary<JsonObject>;

  test('property: on list-free documents it agrees with JSON merge patch', () => {
    fc.assert(
      fc.property(listFree, listFree, (target, patch) => {
        expect(applyStrategicMergePatch(target, patch, 'Pod')).toEqual(applyMergePatch(target, patch));
      }),
    );
  });
});
