/**
 * Per-run shared resources (HTTP agents, database pools, Redis clients, mock servers, services),
 * created lazily on first use and closed in reverse order of creation at the end of the run,
 * also after a failure or an interruption.
 */
export class Resources {
  private readonly cache = new Map<string, Promise<unknown>>();
  private readonly closers: { name: string; close: () => Promise<void> | void }[] = [];
  private closed = false;

  /** The resource named `key`, created once with `create`; `close` runs at the end of the run. */
  get<T>(key: string, create: () => Promise<T> | T, close?: (value: T) => Promise<void> | void): Promise<T> {
    let entry = this.cache.get(key) as Promise<T> | undefined;
    if (!entry) {
      if (this.closed) return Promise.reject(new Error(`resources are closed; cannot open ${key}`));
      entry = Promise.resolve().then(create);
      this.cache.set(key, entry);
      entry.then(
        (value) => {
          if (close) this.closers.push({ name: key, close: () => close(value) });
        },
        () => this.cache.delete(key),
      );
    }
    return entry;
  }

  /** Whether a resource was already opened (without opening it). */
  has(key: string): boolean {
    return this.cache.has(key);
  }

  /** Registers a cleanup that runs at close, in reverse order of registration. */
  onClose(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  /** Closes everything, last opened first. Errors are collected, never thrown half-way. */
  async close(): Promise<{ name: string; error: Error }[]> {
    this.closed = true;
    await Promise.allSettled([...this.cache.values()]);
    const errors: { name: string; error: Error }[] = [];
    while (this.closers.length) {
      const { name, close } = this.closers.pop()!;
      try {
        await close();
      } catch (error) {
        errors.push({ name, error: error as Error });
      }
    }
    this.cache.clear();
    return errors;
  }
}
