/** Named mutexes: scenarios that share a mock server take its lock so they never count each other's calls. */
export class Locks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Takes every named lock (in a fixed order, so no deadlock); returns the release function. */
  async acquire(names: string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const name of [...new Set(names)].sort()) {
      const previous = this.tails.get(name) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = previous.then(() => mine);
      this.tails.set(name, tail);
      await previous;
      releases.push(() => {
        release();
        if (this.tails.get(name) === tail) this.tails.delete(name);
      });
    }
    return () => releases.forEach((r) => r());
  }
}
