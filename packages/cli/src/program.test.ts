// The command tree loads what a command does only when that command runs: `skiff --help`,
// `skiff version` or a verb's help must not load the API server, the agent or the Docker client
// (loading every command's modules made each invocation take about 2 s; docs/performance.md).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const CLI_SRC = new URL('./', import.meta.url).href;

/** A hook in the child that records every module it loads, printed as JSON on exit. */
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
const urls = [];
registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(urls) + '\\n'));
`)}`;

function loadedBy(...args: string[]): Promise<{ stdout: string; modules: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', HOOK, MAIN, ...args], { env: { ...process.env, NODE_ENV: 'test' } }, (_err, stdout, stderr) => {
      const line = stderr.split('\n').find((l) => l.startsWith('LOADED '));
      if (!line) return reject(new Error(`no module list from skiff ${args.join(' ')}: ${stderr}`));
      resolve({ stdout, modules: (JSON.parse(line.slice('LOADED '.length)) as string[]).filter((u) => !u.startsWith('node:')) });
    });
  });
}

/**
 * What may load before a command runs: the CLI's own declarations, commander, and the API
 * server's list of authorization modes (`@skiff/apiserver/authorization-modes`, a module without
 * imports) that `skiff server --authorization-mode` checks its value against.
 */
const AUTHORIZATION_MODES = '/packages/apiserver/src/authz/modes.ts';
const outsideDeclarations = (modules: string[]) =>
  modules.filter((u) => !(u.startsWith(CLI_SRC) && !u.startsWith(`${CLI_SRC}actions/`)) && !u.includes('/commander@') && !u.endsWith(AUTHORIZATION_MODES));

test('help and version load only the declarations of the commands and commander', async () => {
  const help = await loadedBy('--help');
  expect(help.stdout).toMatch(/server \[options\][\s\S]*agent\|join \[options\][\s\S]*get \[options\] <resource> \[name\][\s\S]*token/);
  expect(outsideDeclarations(help.modules)).toEqual([]);
  for (const args of [['--version'], ['version'], ['get', '--help'], ['server', '--help'], ['agent', 'install', '--help']]) {
    const run = await loadedBy(...args);
    expect({ args, loaded: outsideDeclarations(run.modules) }).toEqual({ args, loaded: [] });
  }
});

test('a command loads its action when it runs, and only the packages it needs', async () => {
  // No server listens on port 1: the request fails after the client has loaded.
  const get = await loadedBy('get', 'pods', '--server', 'http://127.0.0.1:1');
  expect(get.modules.some((u) => u.endsWith('/actions/verbs.ts'))).toBe(true);
  expect(get.modules.filter((u) => (/\/packages\/(apiserver|agent|scheduler|controllers)\//.test(u) && !u.endsWith(AUTHORIZATION_MODES)) || /\/(dockerode|fastify|better-sqlite3)@/.test(u))).toEqual([]);
});
