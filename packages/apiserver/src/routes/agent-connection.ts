// How the API server reaches a node agent's endpoint (logs, exec, attach, port-forward; ADR 0019).
// A TLS API server speaks HTTPS to it, presenting its own client certificate
// (kube-apiserver-kubelet-client, as --kubelet-client-certificate) and verifying the agent's
// serving certificate against the cluster CA (--kubelet-certificate-authority): it must name the
// address dialled and be issued to that node (CN system:node:NAME). A plain-HTTP test server
// speaks plain HTTP to agents that have no certificate either.
import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export interface AgentClientTls {
  /** PEM of the cluster CA the agents' serving certificates chain to. */
  ca: string;
  /** PEM: the API server's client certificate and key for the agents. */
  cert: string;
  key: string;
}

/** Why `cert` may not serve node `nodeName` at `host`, or undefined when it may. */
export function agentIdentityProblem(host: string, cert: PeerCertificate, nodeName: string): Error | undefined {
  const wrongName = checkServerIdentity(host, cert);
  if (wrongName) return wrongName;
  const cn = cert.subject?.CN;
  if (cn !== `system:node:${nodeName}`) return new Error(`the agent at ${host} presented a certificate for ${JSON.stringify(cn)}, not system:node:${nodeName}`);
  return undefined;
}

/** A request to the agent of `nodeName` at `endpoint`. */
export function agentRequest(tls: AgentClientTls | undefined, endpoint: { host: string; port: number }, nodeName: string, opts: Omit<RequestOptions, 'host' | 'port'>): ClientRequest {
  if (!tls) return httpRequest({ ...opts, host: endpoint.host, port: endpoint.port });
  return httpsRequest({
    ...opts,
    host: endpoint.host,
    port: endpoint.port,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: true,
    checkServerIdentity: (host, cert) => agentIdentityProblem(host, cert, nodeName),
  });
}
