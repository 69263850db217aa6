import { Command } from 'commander';
import { registerServer } from './commands/server.ts';
import { registerVersion } from './commands/version.ts';

/** The whole command tree; each command lives in its own module under ./commands. */
export function buildProgram(): Command {
  const program = new Command('skiff')
    .description('A small container orchestrator that kubectl drives unchanged')
    .showHelpAfterError();
  registerVersion(program);
  registerServer(program);
  return program;
}
