import type { AppliedChange } from '../apply/engine.js';
import type { EngineEvent } from '../apply/events.js';
import type { Change } from '../plan/plan.js';

// SIGINT during up or down. The first one stops new changes and waits for
// those running, up to a bound (DPGCE_INTERRUPT_WAIT seconds, default 60);
// a second SIGINT, or the end of the bound, stops waiting. Either way the
// report says what was done, what never started, and what was still running
// (its operation may finish in the cloud on its own; the next run reads it).

/** How long the first SIGINT waits for running changes. */
export function interruptWaitMs(): number {
  const s = Number(process.env.DPGCE_INTERRUPT_WAIT);
  return Number.isFinite(s) && s >= 0 && process.env.DPGCE_INTERRUPT_WAIT !== ''
    ? s * 1000
    : 60_000;
}

export class Interrupt {
  /** The engine's shouldStop: no new change starts. */
  stopping = false;
  /** Set when the wait was cut short: the process must exit, work still runs. */
  abandoned = false;
  private readonly running = new Map<string, Change>();
  private readonly ended = new Map<string, AppliedChange>();
  private giveUp!: () => void;
  /** Resolves when the wait for running changes is over. */
  readonly gaveUp = new Promise<void>((r) => (this.giveUp = r));
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly waitMs: number,
    private readonly say: (line: string) => void,
  ) {}

  /** Installs the SIGINT handler; returns its removal. */
  install(): () => void {
    const onSigint = (): void => this.signal();
    process.on('SIGINT', onSigint);
    return () => {
      process.off('SIGINT', onSigint);
      if (this.timer) clearTimeout(this.timer);
    };
  }

  signal(): void {
    if (this.stopping) return this.stopWaiting('interrupted again');
    this.stopping = true;
    const names = [...this.running.keys()];
    this.say(
      `\ninterrupted: no new changes will start; waiting up to ${Math.round(this.waitMs / 1000)} s for ` +
        `${names.length ? names.join(', ') : 'nothing'} (Ctrl-C again to stop waiting)`,
    );
    this.timer = setTimeout(
      () => this.stopWaiting(`still running after ${Math.round(this.waitMs / 1000)} s`),
      this.waitMs,
    );
  }

  /** Follows the engine's events to know what is running. */
  observe(e: EngineEvent): void {
    if (e.type === 'change-start') this.running.set(e.change.address, e.change);
    if (e.type === 'change-done' || e.type === 'change-failed' || e.type === 'change-skipped') {
      this.running.delete(e.change.address);
      const status =
        e.type === 'change-done' ? 'done' : e.type === 'change-failed' ? 'failed' : 'skipped';
      const error =
        e.type === 'change-failed' ? e.error : e.type === 'change-skipped' ? e.because : undefined;
      this.ended.set(e.change.address, { ...e.change, status, error });
    }
  }

  /** Outcomes when the wait was cut short: running changes count as failed, the rest as skipped. */
  outcomes(changes: Change[]): AppliedChange[] {
    return changes.map(
      (c) =>
        this.ended.get(c.address) ??
        (this.running.has(c.address)
          ? {
              ...c,
              status: 'failed' as const,
              error: 'interrupted while running: its operation may still finish in the cloud',
            }
          : { ...c, status: 'skipped' as const, error: 'interrupted' }),
    );
  }

  private stopWaiting(why: string): void {
    if (this.abandoned) return;
    this.abandoned = true;
    const names = [...this.running.keys()];
    this.say(`${why}: no longer waiting${names.length ? ` for ${names.join(', ')}` : ''}`);
    this.giveUp();
  }
}
