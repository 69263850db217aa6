// Requests to a test server over HTTPS as a given identity (a client certificate or a bearer
// token), with the server's CA; `hold` sends the headers and only part of the body, so the
// request stays in flight until `release()`.
import { request, type RequestOptions } from 'node:https';
import type { ClientRequest } from 'node:http';
import { until, type TestServer } from '../../src/testing/index.ts';

export interface HttpsCall {
  path: string;
  method?: string;
  body?: unknown;
  cert?: { cert: string; key: string };
  token?: string;
  /** A header given as a list is sent once per value (Impersonate-Group). */
  headers?: Record<string, string | string[]>;
  /** Default application/json. */
  contentType?: string;
}

export interface HttpsResult {
  status: number;
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

function options(server: TestServer, c: HttpsCall, payload: string | undefined): RequestOptions {
  const url = new URL(server.url);
  const headers: Record<string, string | string[]> = { accept: 'application/json', ...c.headers };
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  // Node frames a DELETE's body only with a Content-Length (no chunked default for DELETE).
  if (payload !== undefined) {
    headers['content-type'] = c.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return { host: url.hostname, port: url.port, path: c.path, method: c.method ?? 'GET', headers, ca: server.tls!.ca, cert: c.cert?.cert, key: c.cert?.key, agent: false };
}

function collect(req: ClientRequest): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode!, body, text, headers: res.headers });
      });
    });
    req.on('error', reject);
  });
}

export function httpsCall(server: TestServer, c: HttpsCall): Promise<HttpsResult> {
  const payload = c.body === undefined ? undefined : JSON.stringify(c.body);
  const req = request(options(server, c, payload));
  const done = collect(req);
  req.end(payload);
  return done;
}

/** A request whose body is not all sent: in flight on the server until release(). */
export function heldCall(server: TestServer, c: HttpsCall & { body: unknown }): { result: Promise<HttpsResult>; release(): void } {
  const payload = JSON.stringify(c.body);
  const req = request(options(server, c, payload));
  const result = collect(req);
  req.write(payload.slice(0, 1));
  return { result, release: () => req.end(payload.slice(1)) };
}

/** Binds a ClusterRole to a group (as the admin), for tests whose token users act beyond what RBAC gives them by default (ADR 0018). */
export async function bindClusterRoleToGroup(server: TestServer, role: string, group: string): Promise<void> {
  const rbac = 'rbac.authorization.k8s.io';
  const r = await httpsCall(server, {
    path: `/apis/${rbac}/v1/clusterrolebindings`,
    method: 'POST',
    cert: server.tls!.admin,
    body: { apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name: `test-${group}-${role}` }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: rbac, kind: 'Group', name: group }] },
  });
  if (r.status !== 201) throw new Error(`binding ${role} to ${group}: ${r.status} ${r.text}`);
  // The authorizer learns of it from a watch (on etcd a moment later): wait until it applies.
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'probe', groups: [group], resourceAttributes: { verb: 'get', resource: 'namespaces' } } };
  await until(`${role} bound to ${group}`, async () => (await httpsCall(server, { path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', method: 'POST', cert: server.tls!.admin, body: review })).body.status?.allowed === true, { timeoutMs: 5000 });
}
