import { Command } from 'commander';
import { registerAgent } from './commands/agent.ts';
import { registerComponents } from './commands/components.ts';
import { registerDown } from './commands/down.ts';
import { registerExplain } from './commands/explain.ts';
import { registerLb } from './commands/lb.ts';
import { registerInstall } from './commands/install.ts';
import { registerSecrets } from './commands/secrets.ts';
import { registerServer } from './commands/server.ts';
import { registerUp } from './commands/up.ts';
import { registerVerbs } from './commands/verbs.ts';
import { registerVersion } from './commands/version.ts';
import { registerToken } from './commands/token.ts';
import { SKIFF_VERSION } from './version.ts';

/**
 * The whole command tree; each command declares its options and help in its own module under
 * ./commands and loads what it does (./actions) only when it runs, so that `skiff get pods` or
 * `skiff --help` does not load the API server, the agent and the Docker client (docs/performance.md).
 */
export function buildProgram(): Command {
  const program = new Command('skiff')
    .description('A small container orchestrator that kubectl drives unchanged')
    .version(SKIFF_VERSION, '-V, --version', 'print the skiff version (`skiff version` says more)')
    .showHelpAfterError();
  registerVersion(program);
  registerServer(program);
  registerComponents(program);
  registerAgent(program);
  registerExplain(program);
  registerVerbs(program);
  registerUp(program);
  registerDown(program);
  registerLb(program);
  registerSecrets(program);
  registerToken(program);
  // After server and agent: their install/uninstall subcommands.
  registerInstall(program);
  return program;
}
