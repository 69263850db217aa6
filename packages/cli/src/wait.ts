/** Polls `check` until it returns true (errors count as false), printing a dot a second. */
export async function waitFor(check: () => Promise<boolean>, o: { timeoutMs: number; what: string; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let lastDot = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(o.timeoutMs / 1000)} s waiting for ${o.what}`);
    if (Date.now() - lastDot >= 1000 && process.stdout.isTTY) {
      process.stdout.write('.');
      lastDot = Date.now();
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 200));
  }
}
