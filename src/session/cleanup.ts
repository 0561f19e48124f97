import type { Logger } from 'pino';

/**
 * Resources acquired by a session, closed last-in-first-out exactly once. A failing close is
 * logged and the rest still run, so one stuck resource never leaks the others.
 */
export class CleanupStack {
  private readonly entries: Array<{ name: string; close: () => Promise<void> | void }> = [];
  private closed = false;

  constructor(private readonly log: Logger) {}

  defer(name: string, close: () => Promise<void> | void): void {
    if (this.closed) throw new Error(`cleanup stack already closed; cannot defer ${name}`);
    this.entries.push({ name, close });
  }

  async closeAll(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.entries.reverse()) {
      try {
        await entry.close();
      } catch (err) {
        this.log.warn({ err, resource: entry.name }, 'cleanup failed');
      }
    }
  }
}
