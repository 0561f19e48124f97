import type { StoredObjectInfo } from '../../contracts/events.js';
import { MeetcapError } from '../../contracts/errors.js';
import type { StreamedUpload } from './storage.js';

export type UploadState = 'streaming' | 'completing' | 'completed' | 'aborted';

/**
 * The complete/abort rules every storage shares: complete and abort are each idempotent, an
 * aborted upload cannot complete, and abort after (or during) completion is a no-op. Subclasses
 * implement how to finish and how to remove every trace.
 */
export abstract class UploadLifecycle implements StreamedUpload {
  protected state: UploadState = 'streaming';
  private completion?: Promise<StoredObjectInfo>;
  private abortion?: Promise<void>;

  abstract get bytesIn(): number;
  /** Makes the object durable and visible; sets `state` to completing, then completed or aborted. */
  protected abstract finish(): Promise<StoredObjectInfo>;
  /** Removes every trace of the upload. */
  protected abstract cleanUp(): Promise<void>;

  complete(): Promise<StoredObjectInfo> {
    if (this.state === 'aborted') return Promise.reject(new MeetcapError('upload_failed', 'upload was aborted'));
    this.completion ??= this.finish();
    return this.completion;
  }

  abort(): Promise<void> {
    if (this.state === 'completed' || this.state === 'completing') return Promise.resolve();
    this.state = 'aborted';
    this.abortion ??= this.cleanUp();
    return this.abortion;
  }
}
