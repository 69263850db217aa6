// A sleep that can be cut short: the informer's and the leader elector's loops wait between
// attempts, and stop() must end that wait at once instead of letting it run out.

export class WakeableSleep {
  private wakeUp?: () => void;

  /** Resolves after `ms`, or as soon as wake() is called, whichever comes first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Ends the current sleep now (a no-op when nothing sleeps). */
  wake(): void {
    this.wakeUp?.();
  }
}
