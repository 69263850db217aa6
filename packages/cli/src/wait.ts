/**
 * Polls `check` until it returns true (errors count as false), printing a dot a second. `failed`
 * may name a reason to stop waiting at once (a process it waits for has died).
 */
export async function waitFor(check: () => Promise<boolean>, o: { timeoutMs: number; what: string; intervalMs?: number; failed?: () => string | undefined }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let lastDot = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    const why = o.failed?.();
    if (why) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(o.timeoutMs / 1000)} s waiting for ${o.what}`);
    if (Date.now() - lastDot >= 1000 && process.stdout.isTTY) {
      process.stdout.write('.');
      lastDot = Date.now();
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 200));
  }
}
