// ServiceAccount tokens: JWTs signed with the cluster's ServiceAccount key (ES256), with the claims
// kube-apiserver writes (iss, sub, aud, exp, iat, nbf, jti and the `kubernetes.io` claim naming the
// namespace, the ServiceAccount and the object the token is bound to). jose signs and verifies;
// this file decides what a valid token is and who it makes the caller.
import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { SYSTEM_SERVICE_ACCOUNTS, type UserInfo } from './user.ts';

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** kube-apiserver's --api-audiences defaults to the issuer. */
export const API_AUDIENCE = SERVICE_ACCOUNT_ISSUER;
/** TokenRequest's default and minimum lifetimes (kube-apiserver). */
export const DEFAULT_TOKEN_SECONDS = 3600;
export const MIN_TOKEN_SECONDS = 600;
export const MAX_TOKEN_SECONDS = 2 ** 32;

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

export interface TokenClaims {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  boundObject?: BoundObject;
}

interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
}

/** What a verified token says; the caller still checks that the ServiceAccount (and bound object) exist. */
export interface VerifiedToken {
  user: UserInfo;
  namespace: string;
  serviceAccount: { name: string; uid: string };
  boundObject?: BoundObject;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The audiences asked for that the token names (never empty). */
  audiences: string[];
}

export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** The key id (kid) Kubernetes derives from the public key, so verifiers can pick the key. */
  private readonly keyId: string;

  constructor(privateKeyPem: string) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    const der = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(der).digest('base64url');
  }

  /** Signs a token; `now` in ms (tests). */
  async issue(c: TokenClaims, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now / 1000);
    const exp = iat + c.expirationSeconds;
    const k8s: KubernetesClaim = { namespace: c.namespace, serviceaccount: c.serviceAccount };
    if (c.boundObject) k8s[c.boundObject.kind.toLowerCase() as 'pod' | 'secret' | 'node'] = { name: c.boundObject.name, uid: c.boundObject.uid };
    const token = await new SignJWT({ 'kubernetes.io': k8s })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
      .setIssuer(SERVICE_ACCOUNT_ISSUER)
      .setSubject(`system:serviceaccount:${c.namespace}:${c.serviceAccount.name}`)
      .setAudience(c.audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies signature, issuer, audience and time; undefined for anything else than a valid token
   * of ours. The token must name one of `audiences` (the API server's own by default; a
   * TokenReview may ask for others, as an in-cluster service checking tokens minted for it does).
   */
  async verify(token: string, now = Date.now(), audiences: readonly string[] = [API_AUDIENCE]): Promise<VerifiedToken | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, { issuer: SERVICE_ACCOUNT_ISSUER, audience: [...audiences], algorithms: ['ES256'], currentDate: new Date(now) }));
    } catch {
      return undefined;
    }
    const named = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    const matched = audiences.filter((a) => named.includes(a));
    const k8s = payload['kubernetes.io'] as KubernetesClaim | undefined;
    if (!k8s || typeof k8s.namespace !== 'string' || typeof k8s.serviceaccount?.name !== 'string' || typeof k8s.serviceaccount?.uid !== 'string') return undefined;
    if (payload.sub !== `system:serviceaccount:${k8s.namespace}:${k8s.serviceaccount.name}` || typeof payload.exp !== 'number') return undefined;
    const bound = (['pod', 'secret', 'node'] as const).find((k) => k8s[k]);
    const boundObject = bound ? { kind: (bound[0].toUpperCase() + bound.slice(1)) as BoundObject['kind'], name: k8s[bound]!.name, uid: k8s[bound]!.uid } : undefined;
    const extra: Record<string, string[]> = {};
    if (typeof payload.jti === 'string') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`];
    if (k8s.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid];
    }
    const user: UserInfo = {
      username: `system:serviceaccount:${k8s.namespace}:${k8s.serviceaccount.name}`,
      uid: k8s.serviceaccount.uid,
      groups: [SYSTEM_SERVICE_ACCOUNTS, `${SYSTEM_SERVICE_ACCOUNTS}:${k8s.namespace}`],
      extra,
    };
    return { user, namespace: k8s.namespace, serviceAccount: k8s.serviceaccount, boundObject, expiresAt: payload.exp, audiences: matched };
  }
}

/** A JWT has three base64url parts; anything else is not worth a signature check. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
