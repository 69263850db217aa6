// Runs the real /usr/bin/kubectl against a skiff API server, with its own discovery cache and an
// empty kubeconfig so that nothing from the machine leaks into a test. Those homes (a few MB of
// discovery cache each) are removed when the test file is done.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBECTL = '/usr/bin/kubectl';

// Every test file loads its own copy of this module (jest's module registry), so this hook, set
// while the file is collected, removes the homes of that file's kubectls when its tests are done.
const homes: string[] = [];
afterAll(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  readonly server: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly home: string;

  private readonly kubeconfig: string | undefined;

  /** `kubeconfig`: use that file (server, CA, credentials) instead of `--server` with an empty one. */
  constructor(server: string, kubeconfig?: string) {
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.home = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));
    homes.push(this.home);
    if (!kubeconfig) {
      kubeconfig = join(this.home, 'config');
      writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    }
    this.env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(this.home, 'cache'), HOME: this.home };
  }

  args(args: string[]): string[] {
    return [...(this.kubeconfig ? [] : ['--server', this.server]), '--cache-dir', join(this.home, 'cache'), ...args];
  }

  /** Runs kubectl to completion; never throws for a non-zero exit (tests assert on it). `env` adds variables (e.g. KUBECTL_APPLYSET). */
  run(args: string[], stdin?: string, env?: NodeJS.ProcessEnv): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(KUBECTL, this.args(args), { env: env ? { ...this.env, ...env } : this.env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (stdin !== undefined) child.stdin!.end(stdin);
    });
  }

  /** Runs kubectl and fails the test with its stderr when it exits non-zero. */
  async ok(args: string[], stdin?: string, env?: NodeJS.ProcessEnv): Promise<string> {
    const r = await this.run(args, stdin, env);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Starts a long-running kubectl (e.g. get -w) and collects its output. */
  spawn(args: string[], env?: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; waitFor: (re: RegExp, ms?: number) => Promise<void> } {
    const child = spawn(KUBECTL, this.args(args), { env: env ? { ...this.env, ...env } : this.env });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    // Checked on each chunk of output (after the listeners above have appended it).
    const waitFor = (re: RegExp, ms = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!re.test(out)) return;
          off();
          resolve();
        };
        const timer = setTimeout(() => {
          off();
          reject(new Error(`timed out waiting for ${re} in kubectl output:\n${out}`));
        }, ms);
        const off = () => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        check();
      });
    return { child, output: () => out, waitFor };
  }
}
