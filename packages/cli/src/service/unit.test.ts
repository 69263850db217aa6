import { envPath, planInstall, planUninstall, quoteArg, renderEnvFile, renderUnit, unitPath } from './unit.ts';

test('ExecStart arguments are quoted for systemd: spaces, quotes, specifiers and variables; control characters refused', () => {
  expect(quoteArg('--server')).toBe('--server');
  expect(quoteArg('https://10.0.0.1:6443')).toBe('https://10.0.0.1:6443');
  expect(quoteArg('a b')).toBe('"a b"');
  expect(quoteArg('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
  expect(quoteArg('100%')).toBe('"100%%"');
  expect(quoteArg('$HOME')).toBe('"$$HOME"');
  expect(() => quoteArg('a\nExecStartPre=/bin/rm -rf /')).toThrow(/control character/);
});

test('the environment file: quoted values, no line breaks, valid names', () => {
  expect(renderEnvFile({ SKIFF_TOKEN: 'K10ab::c"d\\e' })).toContain('SKIFF_TOKEN="K10ab::c\\"d\\\\e"\n');
  expect(() => renderEnvFile({ SKIFF_TOKEN: 'a\nEVIL=1' })).toThrow(/line break/);
  expect(() => renderEnvFile({ 'BAD-NAME': 'x' })).toThrow(/not valid/);
});

test('install: the token is in the 0600 environment file only; systemctl reloads, enables and restarts; uninstall reverses', () => {
  const spec = { role: 'agent' as const, skiff: '/opt/skiff/bin/skiff', args: ['--server', 'https://h:6443', '--node-name', 'n 1'], env: { SKIFF_TOKEN: 'K10secret::tok' } };
  const plan = planInstall(spec);
  expect(plan.files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
    ['/etc/systemd/system/skiff-agent.service.env', '600'],
    ['/etc/systemd/system/skiff-agent.service', '644'],
  ]);
  const unit = renderUnit(spec);
  expect(unit).not.toContain('K10secret');
  expect(unit).toContain('ExecStart=/opt/skiff/bin/skiff agent --server https://h:6443 --node-name "n 1"\n');
  expect(unit).toContain(`EnvironmentFile=-${envPath('agent')}\n`);
  expect(unit).toMatch(/After=network-online.target docker.service/);
  expect(plan.files[0].content).toContain('SKIFF_TOKEN="K10secret::tok"');
  expect(plan.commands).toEqual([
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', 'skiff-agent.service'],
    ['systemctl', 'restart', 'skiff-agent.service'],
  ]);
  expect(planUninstall('agent')).toEqual({
    files: [],
    remove: [unitPath('agent'), envPath('agent')],
    commands: [
      ['systemctl', 'disable', '--now', 'skiff-agent.service'],
      ['systemctl', 'daemon-reload'],
    ],
  });
});
