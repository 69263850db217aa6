// What to tell a user whose server could not reach etcd at start, beyond etcd's and OpenSSL's own
// words: which flag the failure points at. A failed connection is an UNAVAILABLE error with the
// TLS error (or the lack of any answer) inside its message (./grpc-channel.ts), so the cause is
// recognised from that text.

/** A sentence naming the likely cause and the flag to look at, or undefined when the message says nothing about TLS. */
export function connectHint(message: string, tls: { cert?: unknown } | undefined): string | undefined {
  // Nothing listens there, or no route: TLS is not the question.
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT/.test(message)) return undefined;
  if (/alert bad certificate|alert certificate required|alert unknown ca|SSL alert number (42|116)/i.test(message)) {
    return tls?.cert
      ? 'etcd refused the client certificate: it must be signed by a CA in etcd\'s --trusted-ca-file (--datastore-certfile, --datastore-keyfile)'
      : 'etcd asks for a client certificate (--client-cert-auth): give --datastore-certfile and --datastore-keyfile';
  }
  if (/unable to verify the first certificate|self[- ]signed certificate|unable to get (local )?issuer certificate|certificate signature failure/i.test(message)) {
    return "etcd's certificate is not signed by the CA in --datastore-cafile";
  }
  if (/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i.test(message)) {
    return "etcd's certificate does not name the address in --datastore-endpoint";
  }
  if (/certificate has expired|certificate is not yet valid/i.test(message)) return "etcd's certificate is outside its validity period";
  if (!tls && /closed by the other side|Failed to connect|Connection dropped|Protocol error/i.test(message)) {
    return 'if etcd serves TLS, give --datastore-cafile (and --datastore-certfile, --datastore-keyfile if it asks for client certificates)';
  }
  if (tls && /wrong version number|packet length too long|http request/i.test(message)) {
    return 'etcd does not speak TLS there: drop the --datastore-* TLS files, or point at its TLS client URL';
  }
  return undefined;
}
