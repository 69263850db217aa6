// `skiff server install` and `skiff agent install` as pure plans: the systemd unit, its
// environment file, and the systemctl commands to run, written out before anything is touched
// (apply.ts does the touching). As k3s's installer does: the unit at
// /etc/systemd/system/skiff-ROLE.service, the environment beside it as
// skiff-ROLE.service.env (mode 0600, root's), and secrets such as the join token only there:
// the agent reads SKIFF_TOKEN from its environment, so the token is neither in the unit (0644,
// readable by all) nor on the command line that `ps` shows.
export type Role = 'server' | 'agent';

export interface InstallSpec {
  role: Role;
  /** Absolute path of the skiff executable. */
  skiff: string;
  /** Arguments after `skiff server` / `skiff agent` (never secrets). */
  args: string[];
  /** The environment file's variables (secrets go here). */
  env: Record<string, string>;
}

export interface PlannedFile {
  path: string;
  content: string;
  mode: number;
}

export interface Plan {
  files: PlannedFile[];
  /** Paths to remove (uninstall). */
  remove: string[];
  commands: string[][];
}

export const UNIT_DIR = '/etc/systemd/system';

export function unitName(role: Role): string {
  return `skiff-${role}.service`;
}

export function unitPath(role: Role): string {
  return `${UNIT_DIR}/${unitName(role)}`;
}

export function envPath(role: Role): string {
  return `${unitPath(role)}.env`;
}

/**
 * One argument of ExecStart, quoted for systemd: double quotes with `\` and `"` escaped, `%`
 * (specifiers) doubled and `$` (variable expansion) doubled. A newline or other control character
 * cannot be expressed safely and is refused.
 */
export function quoteArg(arg: string): string {
  if (/[\u0000-\u001f\u007f]/.test(arg)) throw new Error(`argument ${JSON.stringify(arg)} has a control character; it cannot go into a unit file`);
  const escaped = arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(arg) ? arg : `"${escaped}"`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment file: KEY="value" lines as systemd's EnvironmentFile= reads them. */
export function renderEnvFile(env: Record<string, string>): string {
  let out = '# Written by skiff install; read by systemd (EnvironmentFile=). Mode 0600: it may hold secrets.\n';
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) throw new Error(`environment variable name ${JSON.stringify(k)} is not valid`);
    if (/[\r\n\u0000]/.test(v)) throw new Error(`the value of ${k} has a line break; it cannot go into an environment file`);
    out += `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`;
  }
  return out;
}

export function renderUnit(spec: InstallSpec): string {
  const agent = spec.role === 'agent';
  const exec = [spec.skiff, spec.role, ...spec.args].map(quoteArg).join(' ');
  return [
    '[Unit]',
    agent ? 'Description=skiff node agent (pods as Docker containers)' : 'Description=skiff server (API server, scheduler, controller manager)',
    'Wants=network-online.target',
    ...(agent ? ['After=network-online.target docker.service', 'Wants=docker.service'] : ['After=network-online.target']),
    '',
    '[Service]',
    'Type=simple',
    `EnvironmentFile=-${envPath(spec.role)}`,
    `ExecStart=${exec}`,
    // Files skiff writes (keys, kubeconfigs, the audit log) are the service user's alone.
    'UMask=0077',
    'Restart=always',
    'RestartSec=5s',
    'LimitNOFILE=1048576',
    'TimeoutStopSec=30s',
    // Containers live in Docker, not in this unit's cgroup: stopping the agent leaves them running,
    // as stopping k3s's agent leaves its pods, and the next start adopts them by label.
    'KillMode=mixed',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export function planInstall(spec: InstallSpec): Plan {
  const name = unitName(spec.role);
  return {
    files: [
      { path: envPath(spec.role), content: renderEnvFile(spec.env), mode: 0o600 },
      { path: unitPath(spec.role), content: renderUnit(spec), mode: 0o644 },
    ],
    remove: [],
    commands: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', name],
      // restart, not start: a second install (new flags, a new token) takes effect.
      ['systemctl', 'restart', name],
    ],
  };
}

export function planUninstall(role: Role): Plan {
  const name = unitName(role);
  return {
    files: [],
    remove: [unitPath(role), envPath(role)],
    commands: [['systemctl', 'disable', '--now', name], ['systemctl', 'daemon-reload']],
  };
}
