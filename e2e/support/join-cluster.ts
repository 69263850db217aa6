// The cluster that joining hosts meet (ADR 0019), for one test file: a real API server over HTTPS,
// an admin client, the controller manager's CSR approver and node-password controller signing with
// the cluster CA, and a temporary directory; started before the file's tests, stopped after them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapTokenSecret, caHash, formatJoinString, newBootstrapToken, SECRETS, type KubeObject } from '@skiff/api';
import { startTestServer, type TestServer } from '@skiff/apiserver/testing';
import { RestClient } from '@skiff/client';
import { createControllerManager, type ControllerManager } from '@skiff/controllers';

export interface JoinCluster {
  readonly server: TestServer;
  /** The server's admin (system:masters) client. */
  readonly admin: RestClient;
  /** The file's temporary directory (hosts' identities, roots, SKIFF_HOME). */
  readonly dir: string;
  /** A new bootstrap token, as `skiff token create` makes it (default an hour), with its join string. */
  newToken(opts?: { ttlSeconds?: number }): Promise<{ id: string; token: string; join: string }>;
}

export interface JoinClusterOptions {
  /** Prefix of the temporary directory's name. */
  prefix: string;
  /** Lifetime of the certificates the signer issues (the controller manager's default otherwise). */
  signingDurationSeconds?: number;
  /** Runs once the server is up, before the controller manager starts (to observe its requests too). */
  onServer?: (server: TestServer) => void;
  /** Runs first after the file's tests, while the cluster still serves (stop the file's agents here). */
  beforeClose?: () => Promise<void>;
}

export function useJoinCluster(opts: JoinClusterOptions): JoinCluster {
  let server: TestServer | undefined;
  let admin: RestClient | undefined;
  let manager: ControllerManager | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    server = await startTestServer({ https: true });
    const tls = server.tls!;
    admin = new RestClient({ server: server.url, ca: tls.ca, ...tls.admin });
    opts.onServer?.(server);
    manager = createControllerManager({
      server: server.url,
      ca: tls.ca,
      ...(await tls.issue({ commonName: 'system:kube-controller-manager' })),
      leaderElect: false,
      controllers: ['csrapproving', 'nodepassword'],
      signing: tls.pki.ca,
      signingDurationSeconds: opts.signingDurationSeconds,
      log: () => undefined,
    });
    await manager.start();
    dir = mkdtempSync(join(tmpdir(), opts.prefix));
  }, 60_000);
  afterAll(async () => {
    await opts.beforeClose?.();
    await manager?.stop();
    admin?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the join cluster is used before its beforeAll ran');
    return v;
  };
  return {
    get server() {
      return started(server);
    },
    get admin() {
      return started(admin);
    },
    get dir() {
      return started(dir);
    },
    async newToken(o = {}) {
      const t = newBootstrapToken();
      await started(admin).create(SECRETS, bootstrapTokenSecret({ id: t.id, secret: t.secret, ttlSeconds: o.ttlSeconds ?? 3600 }) as unknown as KubeObject);
      return { id: t.id, token: t.token, join: formatJoinString(caHash(started(server).tls!.ca), t.token) };
    },
  };
}
