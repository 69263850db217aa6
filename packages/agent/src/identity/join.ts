// Joining a cluster with a join string (ADR 0019), as k3s' agent does with a secure token:
// 1. fetch the CA from the server's /cacerts with TLS verification off and no credentials;
// 2. compare its SHA-256 with the join string's hash: a mismatch stops here, before anything
//    secret is sent;
// 3. from then on verify the server against that CA, and ask for the node's client certificate
//    by CSR with the bootstrap token, sending the node password (made on the first join and kept);
// 4. keep the CA, key and certificate in the identity directory (0600). The token is never
//    written anywhere: once the node has its certificate it uses only that (./store.ts).
import { request as httpsRequest } from 'node:https';
import { caHash, KUBELET_CLIENT_SIGNER, KUBELET_CLIENT_USAGES, NODE_PASSWORD_HEADER, NODES_GROUP, parseJoinString } from '@skiff/api';
import { ApiError, parseServerList, RestClient } from '@skiff/client';
import { requestCertificate } from './csr-request.ts';
import { loadClientIdentity, readOrCreateNodePassword, saveClientIdentity, type NodeIdentity } from './store.ts';

export { NODE_PASSWORD_HEADER } from '@skiff/api';

export class JoinError extends Error {}

const CA_MAX_BYTES = 64 * 1024;

/** GET /cacerts without trusting the server (anything it says is checked against the hash next). */
export function fetchClusterCA(server: string, timeoutMs = 10_000): Promise<string> {
  const url = new URL('/cacerts', server);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'GET', rejectUnauthorized: false, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > CA_MAX_BYTES) req.destroy(new JoinError(`${url} answered more than ${CA_MAX_BYTES} bytes: not a CA certificate`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new JoinError(`${url} answered ${res.statusCode}: is this a skiff server?`));
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new JoinError(`${url} did not answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => reject(err instanceof JoinError ? err : new JoinError(`cannot fetch the cluster CA from ${url}: ${err.message}`)));
    req.end();
  });
}

export interface JoinOptions {
  /** The API server URL (or several, comma-separated: the CA comes from the first). */
  server: string;
  joinString: string;
  nodeName: string;
  /** The node's identity directory. */
  dir: string;
  log(message: string): void;
  /** How long to wait for the CSR to be approved and signed; default 15 min. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The node's client identity, by joining with a join string. Throws a JoinError that says why not. */
export async function joinCluster(o: JoinOptions): Promise<NodeIdentity> {
  let join;
  try {
    join = parseJoinString(o.joinString);
  } catch (e) {
    throw new JoinError((e as Error).message);
  }
  const first = parseServerList(o.server)[0];
  if (first.protocol !== 'https:') throw new JoinError(`joining needs an https:// server, not ${first.origin}`);
  let ca: string;
  let hash: string;
  try {
    ca = await fetchClusterCA(first.href);
    hash = caHash(ca);
  } catch (e) {
    if (e instanceof JoinError) throw e;
    throw new JoinError(`${first.origin}/cacerts did not answer a CA certificate: ${(e as Error).message}`);
  }
  if (hash !== join.caHash) {
    throw new JoinError(
      `the CA of the server at ${first.origin} (sha256 ${hash}) does not match the join string's CA hash (${join.caHash}): ` +
        'it is not the cluster the token is for, or something is in between. The token was not sent.',
    );
  }
  o.log(`the server's CA matches the join string (sha256 ${hash}); asking for the node's certificate`);
  const password = readOrCreateNodePassword(o.dir);
  const client = new RestClient({ server: o.server, ca, token: join.token, headers: { [NODE_PASSWORD_HEADER]: password }, userAgent: `skiff-agent/${o.nodeName} (joining)` });
  try {
    const pair = await requestCertificate(client, {
      commonName: `system:node:${o.nodeName}`,
      organizations: [NODES_GROUP],
      signerName: KUBELET_CLIENT_SIGNER,
      usages: KUBELET_CLIENT_USAGES,
      namePrefix: 'node-csr-',
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    });
    const identity = { ca, ...pair };
    saveClientIdentity(o.dir, identity);
    return identity;
  } catch (e) {
    if (e instanceof ApiError && e.code === 401) throw new JoinError(`the server refused the join token (401 Unauthorized): it is unknown, expired or deleted; make a new one with \`skiff token create\``);
    if (e instanceof ApiError && e.code === 403) throw new JoinError(`the server refused to let node "${o.nodeName}" join: ${e.message}`);
    throw e instanceof ApiError ? new JoinError(`joining failed: ${e.message}`) : e;
  } finally {
    client.close();
  }
}

/**
 * The node's client identity: the one kept in `dir` when it is current (the join string, if
 * given, is then not used: a joined node uses only its own certificate), else a new one by
 * joining. A kept identity from another cluster (its CA does not match the join string) is
 * replaced by joining anew.
 */
export async function ensureNodeIdentity(o: Omit<JoinOptions, 'joinString'> & { joinString?: string }): Promise<NodeIdentity> {
  const kept = loadClientIdentity(o.dir, o.nodeName);
  const wanted = o.joinString ? safeParse(o.joinString) : undefined;
  if (kept && (!wanted || wanted.caHash === caHash(kept.ca))) {
    o.log(`using the node's own certificate from ${o.dir}${o.joinString ? ' (the join token is not needed)' : ''}`);
    return kept;
  }
  if (!o.joinString) throw new JoinError(`no current node certificate in ${o.dir}: give --token JOIN-STRING (\`skiff token create\` prints one) or --kubeconfig`);
  return joinCluster({ ...o, joinString: o.joinString });
}

function safeParse(s: string): { caHash: string } | undefined {
  try {
    return parseJoinString(s);
  } catch (e) {
    throw new JoinError((e as Error).message);
  }
}
