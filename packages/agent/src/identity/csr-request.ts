// A certificate by CertificateSigningRequest, as the kubelet asks for one
// (client-go's util/certificate/csr: RequestCertificate then WaitForCertificate): a new key, a
// PKCS#10 request for it, a CSR object, then a watch on it until it is issued, denied or failed.
import { randomBytes } from 'node:crypto';
import { CERTIFICATE_SIGNING_REQUESTS, certificateInfo, createCertificateRequest, csrCondition, type CertificateRequestSpec, type CertificateSigningRequest, type KubeObject } from '@skiff/api';

const asCsr = (o: KubeObject) => o as unknown as CertificateSigningRequest;
import { isGone, type RestClient } from '@skiff/client';

export interface CertificateRequestOptions extends CertificateRequestSpec {
  signerName: string;
  usages: string[];
  /** Name prefix of the CSR object (`node-csr-`, as the kubelet's). */
  namePrefix: string;
  expirationSeconds?: number;
  /** How long to wait for the certificate; default 15 min (the kubelet's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class CertificateRequestError extends Error {}

/** The certificate (PEM) and its new key (PEM), once the CSR is approved and signed. */
export async function requestCertificate(client: RestClient, o: CertificateRequestOptions): Promise<{ cert: string; key: string }> {
  const { csr: request, key } = await createCertificateRequest(o);
  const name = `${o.namePrefix}${randomBytes(8).toString('hex')}`;
  const body: CertificateSigningRequest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(request).toString('base64'), signerName: o.signerName, usages: o.usages, ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}) },
    status: {},
  };
  const created = asCsr(await client.create(CERTIFICATE_SIGNING_REQUESTS, body as unknown as KubeObject));
  const issued = await waitForCertificate(client, created, o.timeoutMs ?? 15 * 60_000, o.signal);
  const cert = Buffer.from(issued, 'base64').toString('utf8');
  // The signer must have signed our key, for the subject we asked for.
  const info = certificateInfo(cert);
  if (info.commonName !== o.commonName) throw new CertificateRequestError(`CSR ${name} was issued for ${info.commonName}, not ${o.commonName}`);
  return { cert, key };
}

/** What a request's status says: issued (the certificate), refused (why), or nothing yet. */
function verdictOf(csr: CertificateSigningRequest): { cert: string } | { refused: string } | undefined {
  const denied = csrCondition(csr, 'Denied');
  if (denied) return { refused: `CSR ${csr.metadata.name} was denied${denied.reason ? ` (${denied.reason})` : ''}: ${denied.message ?? 'no reason given'}` };
  const failed = csrCondition(csr, 'Failed');
  if (failed) return { refused: `CSR ${csr.metadata.name} failed${failed.reason ? ` (${failed.reason})` : ''}: ${failed.message ?? 'no reason given'}` };
  if (csr.status?.certificate) return { cert: csr.status.certificate };
  return undefined;
}

async function waitForCertificate(client: RestClient, created: CertificateSigningRequest, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const name = created.metadata.name!;
  const deadline = Date.now() + timeoutMs;
  let last: CertificateSigningRequest | undefined = created;
  let rv = created.metadata.resourceVersion;
  for (;;) {
    if (last === undefined) throw new CertificateRequestError(`CSR ${name} was deleted before it was issued`);
    const v = verdictOf(last);
    if (v && 'cert' in v) return v.cert;
    if (v) throw new CertificateRequestError(v.refused);
    const left = deadline - Date.now();
    if (left <= 0) throw new CertificateRequestError(`CSR ${name} was not approved and signed within ${Math.round(timeoutMs / 1000)} s (is a controller manager with the cluster CA's key running? \`kubectl certificate approve ${name}\` approves it by hand)`);
    if (signal?.aborted) throw new CertificateRequestError(`waiting for CSR ${name} was interrupted`);
    const err = await new Promise<Error | undefined>((resolve) => {
      const h = client.watch(
        CERTIFICATE_SIGNING_REQUESTS,
        { fieldSelector: `metadata.name=${name}`, resourceVersion: rv, timeoutSeconds: Math.max(1, Math.ceil(left / 1000)) },
        (ev) => {
          if (ev.type === 'BOOKMARK') return;
          rv = ev.object.metadata.resourceVersion;
          last = ev.type === 'DELETED' ? undefined : asCsr(ev.object);
          if (last === undefined || verdictOf(last)) h.abort();
        },
        resolve,
      );
      signal?.addEventListener('abort', () => h.abort(), { once: true });
    });
    // A stream that ended or broke: read the request again and watch from there.
    if (err || isGone(err)) {
      last = await client.get(CERTIFICATE_SIGNING_REQUESTS, undefined, name).then(asCsr, (e: Error) => {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      });
      rv = last?.metadata.resourceVersion;
    }
  }
}
