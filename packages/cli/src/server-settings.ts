// `skiff server`'s flags and environment, checked all at once before the server writes anything
// (its pki/, its database): computeServerSettings turns what the user gave into the settings the
// server runs with, or into the list of every problem found, each naming the flag or variable and
// its value. Pure but for the files it is asked to read (the token file, the audit policy, the
// etcd TLS files), which it reads through `readFile` so that they are checked too.
import { isIP } from 'node:net';
import { isDNS1123Subdomain, isWildcardDNS1123Subdomain } from '@skiff/api';
import { advertiseAddressProblem, parseAuthorizationModes, parseDatastore, parsePolicy, parseServiceRange, parseStaticTokens, walMaxBytesFromEnv, type AuthorizationMode, type EtcdStorageOptions, type Policy, type UserInfo } from '@skiff/apiserver';
import { parseRangeConfig } from '@skiff/controllers';
import { parsePort, parseWholeNumber } from './options.ts';

/** The flags as commander hands them over: every value still the text the user typed (or its default). */
export interface ServerFlags {
  dataDir: string;
  host: string;
  port: string;
  scheduler: boolean;
  controllers: boolean;
  schedulerPort?: string;
  clusterCidr: string;
  serviceClusterIpRange: string;
  datastoreEndpoint?: string;
  datastoreCafile?: string;
  datastoreCertfile?: string;
  datastoreKeyfile?: string;
  tlsSan: string[];
  insecurePort?: string;
  tokenAuthFile?: string;
  advertiseAddress?: string;
  auditLogPath?: string;
  auditPolicyFile?: string;
  auditLogMaxsize: string;
  auditLogMaxbackup: string;
  maxRequestsInflight: string;
  maxMutatingRequestsInflight: string;
  authorizationMode: string;
}

/** What the server runs with, every value checked. */
export interface ServerSettings {
  dataDir: string;
  host: string;
  port: number;
  scheduler: boolean;
  controllers: boolean;
  schedulerPort?: number;
  clusterCidr: string;
  serviceClusterIpRange: string;
  /** etcd instead of SQLite (--datastore-endpoint), its TLS files read. */
  etcd?: Pick<EtcdStorageOptions, 'hosts' | 'tls'>;
  /** SKIFF_SQLITE_WAL_MAX_BYTES (undefined: the default bound). */
  walMaxBytes?: number;
  tlsSan: string[];
  insecurePort?: number;
  /** --token-auth-file, and its tokens. */
  tokenAuthFile?: string;
  staticTokens?: Map<string, UserInfo>;
  advertiseAddress?: string;
  audit?: { path: string; policy?: Policy; maxSizeMB: number; maxBackups: number };
  limits: { maxRequestsInflight: number; maxMutatingRequestsInflight: number };
  authorizationMode: AuthorizationMode[];
}

export type ServerSettingsResult = { settings: ServerSettings; problems?: undefined } | { settings?: undefined; problems: string[] };

export interface SettingsSources {
  /** The process environment (SKIFF_SQLITE_WAL_MAX_BYTES). */
  env: NodeJS.ProcessEnv;
  /** Reads a file the flags name; omitted, files are not read (`skiff server install`: they live where the service will run). */
  readFile?: (path: string) => Buffer;
}

export function computeServerSettings(flags: ServerFlags, sources: SettingsSources): ServerSettingsResult {
  const problems: string[] = [];
  /** The value `parse` makes of a flag, or undefined with the problem noted. */
  const check = <T>(what: string, value: string | undefined, parse: (v: string) => T): T | undefined => {
    if (value === undefined) return undefined;
    try {
      return parse(value);
    } catch (e) {
      problems.push(`${what} ${JSON.stringify(value)}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const read = sources.readFile;
  const text = (path: string) => {
    let data: Buffer;
    try {
      data = read!(path);
    } catch (e) {
      throw new Error(`cannot read it: ${(e as Error).message}`);
    }
    return data.toString('utf8');
  };

  const port = check('--port', flags.port, parsePort);
  const schedulerPort = check('--scheduler-port', flags.schedulerPort, parsePort);
  const insecurePort = check('--insecure-port', flags.insecurePort, parsePort);
  const host = check('--host', flags.host, (v) => {
    if (v !== 'localhost' && isIP(v) === 0) throw new Error('not an IP address (or localhost) to bind');
    return v;
  });
  const advertiseAddress = check('--advertise-address', flags.advertiseAddress, (v) => {
    const problem = advertiseAddressProblem(v);
    if (problem) throw new Error(problem);
    return v;
  });
  for (const san of flags.tlsSan) check('--tls-san', san, sanName);
  check('--cluster-cidr', flags.clusterCidr, (v) => parseRangeConfig(v));
  check('--service-cluster-ip-range', flags.serviceClusterIpRange, (v) => parseServiceRange(v));
  const authorizationMode = check('--authorization-mode', flags.authorizationMode, parseAuthorizationModes);
  const maxRequestsInflight = check('--max-requests-inflight', flags.maxRequestsInflight, parseWholeNumber);
  const maxMutatingRequestsInflight = check('--max-mutating-requests-inflight', flags.maxMutatingRequestsInflight, parseWholeNumber);
  const auditLogMaxsize = check('--audit-log-maxsize', flags.auditLogMaxsize, parseWholeNumber);
  const auditLogMaxbackup = check('--audit-log-maxbackup', flags.auditLogMaxbackup, parseWholeNumber);
  const policy = read ? check('--audit-policy-file', flags.auditPolicyFile, (f) => parsePolicy(text(f), f)) : undefined;
  const staticTokens = read ? check('--token-auth-file', flags.tokenAuthFile, (f) => parseStaticTokens(text(f), f)) : undefined;
  // The datastore flags are checked together (they go together); their messages name the flags.
  let etcd: ServerSettings['etcd'];
  try {
    const datastore = { endpoint: flags.datastoreEndpoint, cafile: flags.datastoreCafile, certfile: flags.datastoreCertfile, keyfile: flags.datastoreKeyfile };
    etcd = parseDatastore(read ? datastore : { ...datastore, cafile: undefined, certfile: undefined, keyfile: undefined }, read);
  } catch (e) {
    problems.push((e as Error).message);
  }
  let walMaxBytes: number | undefined;
  try {
    walMaxBytes = walMaxBytesFromEnv(sources.env);
  } catch (e) {
    problems.push((e as Error).message);
  }

  if (problems.length) return { problems };
  return {
    settings: {
      dataDir: flags.dataDir,
      host: host!,
      port: port!,
      scheduler: flags.scheduler,
      controllers: flags.controllers,
      schedulerPort,
      clusterCidr: flags.clusterCidr,
      serviceClusterIpRange: flags.serviceClusterIpRange,
      etcd,
      walMaxBytes,
      tlsSan: flags.tlsSan,
      insecurePort,
      tokenAuthFile: flags.tokenAuthFile,
      staticTokens,
      advertiseAddress,
      audit: flags.auditLogPath ? { path: flags.auditLogPath, policy, maxSizeMB: auditLogMaxsize!, maxBackups: auditLogMaxbackup! } : undefined,
      limits: { maxRequestsInflight: maxRequestsInflight!, maxMutatingRequestsInflight: maxMutatingRequestsInflight! },
      authorizationMode: authorizationMode!,
    },
  };
}

/** The refusal `skiff server` prints: every problem, one a line. */
export function describeProblems(problems: readonly string[]): string {
  return `refusing to start (nothing was written): ${problems.length === 1 ? 'a bad setting' : `${problems.length} bad settings`}:\n${problems.map((p) => `  ${p}`).join('\n')}`;
}

/** A serving certificate's extra name: an IP address or a DNS name (a wildcard one too). */
function sanName(v: string): string {
  if (isIP(v) !== 0) return v;
  const errs = v.startsWith('*.') ? isWildcardDNS1123Subdomain(v) : isDNS1123Subdomain(v);
  if (errs.length) throw new Error(`neither an IP address nor a DNS name: ${errs.join('; ')}`);
  return v;
}
