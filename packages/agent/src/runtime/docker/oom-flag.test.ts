import type { ContainerInfo } from '../types.ts';
import { oomMayFollow } from './docker-runtime.ts';
import { fingerprint } from '../../pod/observed.ts';

const exited = (exitCode: number, oomKilled: boolean, finishedAt = '2026-12-06T18:00:00Z'): ContainerInfo =>
  ({ id: 'c1', name: 'x', image: 'i', imageId: '', state: 'exited', exitCode, oomKilled, labels: {}, ports: [], createdAt: '2026-12-06T17:59:00Z', startedAt: '2026-12-06T17:59:01Z', finishedAt }) as ContainerInfo;
const at = (iso: string) => Date.parse(iso);

describe('a SIGKILLed exit Docker may yet mark OOMKilled', () => {
  test('looked at again for 10 s after the exit; then, or once OOMKilled, final', () => {
    expect(oomMayFollow(exited(137, false), at('2026-12-06T18:00:01Z'))).toBe(true);
    expect(oomMayFollow(exited(137, false), at('2026-12-06T18:00:10Z'))).toBe(true);
    expect(oomMayFollow(exited(137, false), at('2026-12-06T18:00:11Z'))).toBe(false);
    expect(oomMayFollow(exited(137, true), at('2026-12-06T18:00:01Z'))).toBe(false);
  });

  test('other exits and running containers are final as inspected', () => {
    expect(oomMayFollow(exited(1, false), at('2026-12-06T18:00:01Z'))).toBe(false);
    expect(oomMayFollow(exited(0, false), at('2026-12-06T18:00:01Z'))).toBe(false);
    expect(oomMayFollow({ ...exited(137, false), state: 'running', exitCode: undefined } as ContainerInfo, at('2026-12-06T18:00:01Z'))).toBe(false);
  });

  test("the relist's fingerprint of a listing changes when the OOM flag comes", () => {
    expect(fingerprint([exited(137, false)])).not.toBe(fingerprint([exited(137, true)]));
  });
});
