import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateFileProblem } from './private-file.ts';

test('a secret file others can read is named with its mode; a 0600 file of ours, or none, is fine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-private-'));
  try {
    const f = join(dir, 'tokens.csv');
    writeFileSync(f, 't,u,1\n', { mode: 0o600 });
    expect(privateFileProblem(f)).toBeUndefined();
    chmodSync(f, 0o640);
    expect(privateFileProblem(f)).toMatch(/mode 0640 lets its group read or change it; chmod 600/);
    chmodSync(f, 0o644);
    expect(privateFileProblem(f)).toMatch(/mode 0644 lets every user read/);
    expect(privateFileProblem(join(dir, 'missing'))).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
