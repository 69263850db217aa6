import { connectHint } from './connect-hint.ts';

// The messages as `skiff server` met them (test/etcd-tls.etcd.test.ts), grpc-js's words around OpenSSL's.
const lastError = (e: string) => `the datastore (etcd) is unavailable (13 attempts in 4.8 s): 14 UNAVAILABLE: No connection established. Last error: ${e} (2026-12-07T01:10:35.338Z). Resolution note: `;
const BAD_CERT = lastError('40BDEB5BA97F0000:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 42');
const UNVERIFIED = lastError('Error: unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca.');

test('a client certificate etcd refused, or none where etcd asks for one', () => {
  expect(connectHint(BAD_CERT, { cert: 'pem' })).toMatch(/etcd refused the client certificate/);
  expect(connectHint(BAD_CERT, {})).toMatch(/asks for a client certificate.*--datastore-certfile and --datastore-keyfile/);
  expect(connectHint(lastError('ssl/tls alert certificate required:...:SSL alert number 116'), {})).toMatch(/asks for a client certificate/);
});

test("etcd's certificate: another CA, another name, out of date", () => {
  expect(connectHint(UNVERIFIED, {})).toBe("etcd's certificate is not signed by the CA in --datastore-cafile");
  expect(connectHint(lastError('Error: self-signed certificate in certificate chain'), {})).toMatch(/not signed by the CA/);
  expect(connectHint(lastError("Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: IP: 10.0.0.9 is not in the cert's list: 127.0.0.1"), {})).toMatch(/does not name the address/);
  expect(connectHint(lastError('Error: certificate has expired'), {})).toMatch(/validity period/);
});

// The same through ./grpc-channel.ts (the KV client's channels).
const cut = (e?: string) => `the datastore (etcd) is unavailable (13 attempts in 4.8 s): 14 UNAVAILABLE: 127.0.0.1:39355: the connection ended before an answer (${e ?? 'closed by the other side'})`;

test('through the KV channels: a TLS failure, a member that closed without an answer, nothing listening', () => {
  expect(connectHint(cut('Client network socket disconnected before secure TLS connection was established'), {})).toBeUndefined();
  expect(connectHint(cut('140:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:SSL alert number 42'), {})).toMatch(/asks for a client certificate/);
  expect(connectHint(cut(), undefined)).toMatch(/if etcd serves TLS/);
  expect(connectHint(cut('connect ECONNREFUSED 127.0.0.1:39355'), undefined)).toBeUndefined();
});

test("a last attempt that ran out of time while connecting still carries the last connection's TLS refusal (CI: 6 ms left)", () => {
  const last = 'the datastore (etcd) is unavailable (13 attempts in 5.0 s): 4 DEADLINE_EXCEEDED: Deadline exceeded after 6 ms (still connecting; the last connection failed: C0:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:SSL alert number 42)';
  expect(connectHint(last, { cert: 'pem' })).toMatch(/etcd refused the client certificate/);
});

test('a last attempt that learnt nothing, after attempts that met the refusal (CI: 1 ms left, no connection had failed yet on that session)', () => {
  const last = 'the datastore (etcd) is unavailable (13 attempts in 5.0 s): 4 DEADLINE_EXCEEDED: Deadline exceeded after 1 ms (still connecting); an earlier attempt: 14 UNAVAILABLE: 127.0.0.1:35469: C0:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:SSL alert number 42';
  expect(connectHint(last, { cert: 'pem' })).toMatch(/etcd refused the client certificate/);
});

test('plain to a TLS member, TLS to a plain one', () => {
  expect(connectHint(lastError('Failed to connect'), undefined)).toMatch(/if etcd serves TLS, give --datastore-cafile/);
  expect(connectHint(lastError('Failed to connect'), {})).toBeUndefined();
  expect(connectHint(lastError('C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'), {})).toMatch(/does not speak TLS there/);
});

test('nothing about TLS: no hint', () => {
  expect(connectHint(lastError('connect ECONNREFUSED 127.0.0.1:2379'), undefined)).toBeUndefined();
  expect(connectHint(lastError('connect ECONNREFUSED 127.0.0.1:2379'), {})).toBeUndefined();
});
