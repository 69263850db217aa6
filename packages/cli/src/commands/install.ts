// `skiff server install|uninstall` and `skiff agent install|uninstall`: run skiff as a systemd
// service (issue 12 §4, ADR 0020). The flags after `install` that are not install's own are the
// server's or agent's, checked against that command's options before anything is written, and
// put in the unit's ExecStart; the join token goes only into the 0600 environment file.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { applyPlan } from '../service/apply.ts';
import { planInstall, planUninstall, type Role } from '../service/unit.ts';

interface InstallOptions {
  root: string;
  dryRun?: boolean;
  skiff?: string;
  server?: string;
  token?: string;
  nodeName?: string;
  dataDir?: string;
}

/** The checkout's bin/skiff, which the unit runs unless --skiff says otherwise. */
function defaultSkiff(): string {
  return realpathSync(fileURLToPath(new URL('../../../../bin/skiff', import.meta.url)));
}

/** Refuses flags the real command does not know, and flags that carry the token on the command line. */
function checkPassThrough(target: Command, args: string[]): void {
  for (const a of args) if (/^--token(=|$)/.test(a)) throw new Error('give the token as install\'s --token: it is kept in the environment file, not on the command line');
  const { unknown, operands } = target.parseOptions(args);
  if (unknown.length) throw new Error(`unknown option for skiff ${target.name()}: ${unknown[0]}`);
  if (operands.length) throw new Error(`unexpected argument for skiff ${target.name()}: ${operands[0]}`);
}

function guardRoot(o: InstallOptions): void {
  if ((o.root === '/' || o.root === '') && !o.dryRun && process.getuid?.() !== 0) throw new Error('installing a service writes /etc/systemd/system and runs systemctl: run as root (or use --dry-run, or --root DIR to write the files below DIR)');
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The server's flags, as `skiff server` would check them (server-settings.ts), so that a unit with a
 * bad value is never written; the files they name are not read (they are where the service runs).
 */
async function checkServerFlags(server: Command): Promise<void> {
  const { computeServerSettings, describeProblems } = await import('../server-settings.ts');
  const checked = computeServerSettings(server.opts(), { env: {} });
  if (checked.problems) throw new Error(describeProblems(checked.problems).replace('refusing to start', 'refusing to install'));
}

function addInstall(role: Role, parent: Command, extra: (c: Command) => Command, spec: (o: InstallOptions) => { args: string[]; env: Record<string, string> }): void {
  parent.enablePositionalOptions();
  extra(
    parent
      .command('install')
      .description(`run skiff ${role} as a systemd service (skiff-${role}.service): writes the unit and its environment file (0600), then enables and starts it; other flags go to skiff ${role}`)
      .option('--root <dir>', 'write the files below this directory instead of / (systemctl is then not run)', '/')
      .option('--dry-run', 'print what would be written and run, change nothing')
      .option('--skiff <path>', 'the skiff executable the unit runs (default: this checkout\'s bin/skiff)'),
  )
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (o: InstallOptions, cmd: Command) => {
      checkPassThrough(parent, cmd.args);
      if (role === 'server') await checkServerFlags(parent);
      guardRoot(o);
      const { args, env } = spec(o);
      const plan = planInstall({ role, skiff: o.skiff ?? defaultSkiff(), args: [...args, ...cmd.args], env });
      applyPlan(plan, { root: o.root, dryRun: !!o.dryRun, log });
    });
  parent
    .command('uninstall')
    .description(`stop and disable skiff-${role}.service and remove its unit and environment file (the data directory stays)`)
    .option('--root <dir>', 'remove the files below this directory instead of / (systemctl is then not run)', '/')
    .option('--dry-run', 'print what would be removed and run, change nothing')
    .action((o: InstallOptions) => {
      guardRoot(o);
      applyPlan(planUninstall(role), { root: o.root, dryRun: !!o.dryRun, log });
    });
}

export function registerInstall(program: Command): void {
  program.enablePositionalOptions();
  const server = program.commands.find((c) => c.name() === 'server')!;
  const agent = program.commands.find((c) => c.name() === 'agent')!;
  // A service has no HOME to default to: the server's data lives in /var/lib/skiff/server unless --data-dir says otherwise.
  addInstall('server', server, (c) => c.option('--data-dir <dir>', 'the server\'s data directory', '/var/lib/skiff/server'), (o) => ({ args: ['--data-dir', o.dataDir!], env: {} }));
  addInstall(
    'agent',
    agent,
    (c) => c.requiredOption('--server <url>', 'the API server, https://HOST:6443').requiredOption('--token <token>', 'the join token (from skiff token create); kept in the 0600 environment file as SKIFF_TOKEN').option('--node-name <name>', 'name of the Node to register (default: the host name)'),
    // SKIFF_HOME: where the agent keeps what it was given on joining (a service has no HOME).
    (o) => ({ args: ['--server', o.server!, ...(o.nodeName ? ['--node-name', o.nodeName] : [])], env: { SKIFF_TOKEN: o.token!, SKIFF_HOME: '/var/lib/skiff' } }),
  );
}
