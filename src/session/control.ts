import type { Logger } from 'pino';
import {
  MeetcapError,
  toMeetcapError,
  type ControlCommand,
  type ControlResult,
  type MeetingJob,
} from '../contracts/index.js';
import type { SessionMachine } from './machine.js';
import type { SessionRecording } from './recording.js';

/**
 * The session's side of recording commands (pause, resume, start_recording), and the rule for
 * when a recording starts: at once, after the job's delay, or on command — whichever comes first
 * of the ones the job allows. Commands run one at a time, so a pause and a resume sent together
 * land in order.
 */
export class RecordingControl {
  private recording: SessionRecording | undefined;
  private requestStart!: () => void;
  private readonly startRequested = new Promise<void>((resolve) => (this.requestStart = resolve));
  private starting: Promise<void> | undefined;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pauseListeners: Array<(paused: boolean, at: number) => void> = [];

  constructor(
    private readonly machine: SessionMachine,
    private readonly log: Logger,
  ) {}

  /** Called with every pause (true) and resume (false) once the page has switched. */
  onPauseChange(listener: (paused: boolean, at: number) => void): void {
    this.pauseListeners.push(listener);
  }

  /**
   * In the call: starts `recording` when the job says (see class comment), then `onStarted`.
   * Failures go to `onError`. Returns at once.
   */
  begin(recording: SessionRecording, spec: MeetingJob['recordingStart'], stop: AbortSignal, onStarted: (at: number) => void, onError: (err: MeetcapError) => void): void {
    this.recording = recording;
    this.starting = (async () => {
      await this.whenDue(spec, stop);
      if (this.closed || stop.aborted) return;
      onStarted(await recording.start());
    })();
    this.starting.catch((err: unknown) => onError(toMeetcapError(err, 'capture_failed')));
  }

  /** No more starts or commands; waits for a start already under way. */
  async close(): Promise<void> {
    this.closed = true;
    this.requestStart(); // unblocks a start still waiting for its command; it sees `closed`
    await this.starting?.catch(() => undefined);
    await this.queue.catch(() => undefined);
  }

  handle(command: ControlCommand): Promise<ControlResult> {
    const run = this.queue.then(() => this.apply(command));
    this.queue = run.catch(() => undefined);
    return run.then(
      (): ControlResult => ({ ok: true, state: this.machine.state }),
      (err: unknown): ControlResult => {
        const e = toMeetcapError(err, 'control_refused');
        this.log.warn({ command, code: e.code, err: e.message }, 'control command refused');
        return { ok: false, error: e.toJSON() };
      },
    );
  }

  private async apply(command: ControlCommand): Promise<void> {
    const recording = this.recording;
    if (!recording || this.closed) throw new MeetcapError('control_refused', `cannot ${command}: the bot is not in the call`);
    this.log.info({ command }, 'control command');
    if (command === 'start_recording') {
      this.requestStart();
      await this.starting;
      return;
    }
    if (!recording.started) throw new MeetcapError('control_refused', `cannot ${command}: the recording has not started`);
    const paused = command === 'pause';
    if (recording.paused === paused) return;
    await recording.setPaused(paused);
    this.machine.to(paused ? 'paused' : 'recording');
    for (const listener of this.pauseListeners) listener(paused, Date.now());
  }

  private whenDue(spec: MeetingJob['recordingStart'], stop: AbortSignal): Promise<void> {
    if (!spec.onCommand && spec.delaySec === undefined) return Promise.resolve();
    this.log.info({ delaySec: spec.delaySec, onCommand: spec.onCommand }, 'in the call; recording starts later');
    return new Promise<void>((resolve) => {
      const timer = spec.delaySec === undefined ? undefined : setTimeout(resolve, spec.delaySec * 1000);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      void this.startRequested.then(done);
      stop.addEventListener('abort', done, { once: true });
    });
  }
}
