import { messageFromFile, messageFromLogs, trimPodMessages, MAX_POD_MESSAGE_BYTES } from './termination-message.ts';

test('File: the file, whatever the exit code; FallbackToLogsOnError reads logs only for a failure without a message', () => {
  const file = Buffer.from('bye');
  expect(messageFromFile({ file, policy: 'File', exitCode: 1, neverStarted: false })).toEqual({ message: 'bye', readLogs: false });
  expect(messageFromFile({ file: Buffer.alloc(0), policy: 'File', exitCode: 1, neverStarted: false })).toEqual({ message: '', readLogs: false });
  expect(messageFromFile({ file, policy: 'FallbackToLogsOnError', exitCode: 1, neverStarted: false })).toEqual({ message: 'bye', readLogs: false });
  expect(messageFromFile({ file: Buffer.alloc(0), policy: 'FallbackToLogsOnError', exitCode: 1, neverStarted: false })).toEqual({ message: '', readLogs: true });
  expect(messageFromFile({ file: undefined, policy: 'FallbackToLogsOnError', exitCode: 2, neverStarted: false })).toEqual({ message: '', readLogs: true });
  expect(messageFromFile({ file: Buffer.alloc(0), policy: 'FallbackToLogsOnError', exitCode: 0, neverStarted: false })).toEqual({ message: '', readLogs: false });
  expect(messageFromFile({ file: undefined, policy: 'FallbackToLogsOnError', exitCode: 127, neverStarted: true })).toEqual({ message: '', readLogs: false });
});

test('a log message keeps the last 2048 bytes; a pod keeps at most 12 KiB, shared equally', () => {
  const log = Buffer.from(`${'a'.repeat(3000)}END`);
  const m = messageFromLogs(log);
  expect(m).toHaveLength(2048);
  expect(m.endsWith('END')).toBe(true);
  const big = new Map([['a', 'x'.repeat(4096)], ['b', 'y'.repeat(4096)], ['c', 'z'.repeat(4096)], ['d', 'w'.repeat(100)]]);
  const trimmed = trimPodMessages(big);
  expect([...trimmed.values()].map((v) => v.length)).toEqual([3072, 3072, 3072, 100]);
  expect([...trimmed.values()].join('').length).toBeLessThanOrEqual(MAX_POD_MESSAGE_BYTES);
  const small = new Map([['a', 'x']]);
  expect(trimPodMessages(small)).toEqual(small);
});
