// Authentication and the cluster's PKI (issue 12 §1; ADR 0014).
export { requestUser, UNSECURED_USER, SYSTEM_MASTERS, SYSTEM_NODES, SYSTEM_AUTHENTICATED, type UserInfo } from './user.ts';
export { Authenticator, isPublicPath, registerAuthentication, type AuthenticatorOptions } from './authenticate.ts';
export { ensureClusterPki, ensureClientCertificate, issueCertificate, createCertificateAuthority, loadCertificateAuthority, caHash, writeSecretFile, PKI_FILES, KUBELET_CLIENT_USER, type ClusterPki, type CertificateAuthority, type KeyPair, type IssueOptions } from './pki.ts';
export { renderKubeconfig, type KubeconfigSpec } from './kubeconfig.ts';
export { parseStaticTokens } from './static-tokens.ts';
export { privateFileProblem } from './private-file.ts';
export { ServiceAccountTokens, SERVICE_ACCOUNT_ISSUER, API_AUDIENCE } from './service-account-tokens.ts';
export { BOOTSTRAP_TOKEN_PATTERN, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapSecretName } from './bootstrap-tokens.ts';
