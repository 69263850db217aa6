// `skiff server`: its options and help; the API server and its components load only when it runs.
import { Option, type Command } from 'commander';
import { AUTHORIZATION_MODES, DEFAULT_AUTHORIZATION_MODES } from '@skiff/apiserver/authorization-modes';
import { DEFAULT_SCHEDULER_PORT } from '../component-ports.ts';
import type { ServerFlags } from '../server-settings.ts';

// Every value stays the text the user typed here: the action checks them all at once (with the
// environment) and names every bad one before anything is written (server-settings.ts).
export function registerServer(program: Command): void {
  program
    .command('server')
    .description('run the API server and, in worker threads of the same process, the scheduler and controller manager')
    .option('--data-dir <dir>', 'where the SQLite database lives', defaultDataDir())
    .option('--datastore-endpoint <url>', 'store objects in etcd instead of SQLite: etcd://host:2379[,host:2379...] (several API servers may share it)')
    .option('--datastore-cafile <file>', 'CA certificate that signed the etcd members\' certificates (TLS to etcd)')
    .option('--datastore-certfile <file>', 'client certificate for etcd (with --datastore-keyfile)')
    .option('--datastore-keyfile <file>', 'client key for etcd (with --datastore-certfile)')
    .option('--host <address>', 'address to bind; 127.0.0.1 keeps the API off the network', '127.0.0.1')
    .addOption(withDefault('--port <port>', 'port to listen on (0 picks a free one)', 6443))
    .option('--no-scheduler', 'do not run the scheduler in this process')
    .option('--no-controllers', 'do not run the controller manager in this process')
    .option('--cluster-cidr <cidr>', 'pods\' address range, one /24 of it per node', '10.244.0.0/16')
    .option('--service-cluster-ip-range <cidr>', 'where Service ClusterIPs come from', '10.96.0.0/16')
    .option('--advertise-address <ip>', 'the address pods and other servers reach this server at, listed in the kubernetes Service\'s endpoints (default: --host when routable, the default route\'s address for 0.0.0.0); with --host 127.0.0.1 the server also listens there')
    .option('--tls-san <name>', 'another DNS name or IP address for the serving certificate (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--insecure-port <port>', 'also serve plain HTTP on 127.0.0.1:PORT, where every request is system:unsecured (a development convenience; never on the network)')
    .addOption(
      new Option(
        '--authorization-mode <modes>',
        `ordered, comma-separated authorizers, as kube-apiserver's: ${AUTHORIZATION_MODES.join(', ')}; the first to allow decides (system:masters is always allowed). AlwaysAllow lets every authenticated request through: development only`,
      )
        .default(DEFAULT_AUTHORIZATION_MODES.join(','), DEFAULT_AUTHORIZATION_MODES.join(',')),
    )
    .option('--token-auth-file <file>', 'static bearer tokens, one per line: token,user,uid,"group1,group2"')
    .option('--audit-log-path <file>', 'write an audit.k8s.io/v1 Event per request, one JSON line each, to this file (- for stdout)')
    .option('--audit-policy-file <file>', 'audit policy (audit.k8s.io/v1 Policy); without it every request is logged at Metadata level')
    .addOption(withDefault('--audit-log-maxsize <MB>', 'rotate the audit log past this many megabytes (0: never)', 100))
    .addOption(withDefault('--audit-log-maxbackup <n>', 'rotated audit logs to keep (0: all)', 0))
    .addOption(withDefault('--max-requests-inflight <n>', 'read-only requests served at once before 429 (0: no limit; watches and streams do not count)', 400))
    .addOption(withDefault('--max-mutating-requests-inflight <n>', 'mutating requests served at once before 429 (0: no limit)', 200))
    .option('--scheduler-port <port>', `port of the scheduler's explain/metrics endpoint on 127.0.0.1 (default ${DEFAULT_SCHEDULER_PORT}, a free one when that is taken or --port is 0)`)
    .action(async (flags: ServerFlags) => (await import('../actions/server.ts')).runServer(flags));
}

/** A numeric flag whose default is handed over as text, like a value the user typed. */
function withDefault(flags: string, description: string, value: number): Option {
  return new Option(flags, description).default(String(value), String(value));
}

export function defaultDataDir(): string {
  return `${process.env.HOME ?? '.'}/.skiff/data`;
}
