import { KernelOomLog, oomKilledContainer } from './kernel-oom.ts';

const ID = '5fdde1a969a3da8f7a2162e3c652b1b385daf78f421955db3b2c210cec4ad332';

test("an oom-kill record names the container by its cgroup's last part (cgroupfs and systemd drivers); other records name none", () => {
  const rec = (memcg: string) => `6,2901,42983116795,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=${ID},mems_allowed=0,oom_memcg=${memcg},task_memcg=${memcg},task=tail,pid=12889,uid=0`;
  expect(oomKilledContainer(rec(`/docker/${ID}`))).toBe(ID);
  expect(oomKilledContainer(rec(`/system.slice/docker-${ID}.scope`))).toBe(ID);
  expect(oomKilledContainer(rec('/user.slice'))).toBeUndefined();
  expect(oomKilledContainer(`3,2902,42983229677,-;Memory cgroup out of memory: Killed process 12995 (tail) total-vm:18168kB`)).toBeUndefined();
  expect(oomKilledContainer(`6,1,1,-;usb 1-1: task_memcg=/docker/${ID}`)).toBeUndefined();
});

test('a kernel log that cannot be read: nothing is known from it, said once', () => {
  const said: string[] = [];
  const log = new KernelOomLog('/nonexistent/kmsg', (m) => said.push(m));
  expect(log.killed(ID)).toBe(false);
  expect(log.killed(ID)).toBe(false);
  expect(said).toHaveLength(1);
  expect(said[0]).toMatch(/cannot read the kernel log \/nonexistent\/kmsg .*OOMKilled flag alone/);
});
