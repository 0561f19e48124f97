import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StoredObjectInfo } from '../../contracts/events.js';
import { MeetcapError, toMeetcapError } from '../../contracts/errors.js';
import { ByteCounter } from './counting.js';
import { validateKey } from './keys.js';
import { UploadLifecycle } from './lifecycle.js';
import type { Storage, StoredObjectBody, StreamedUpload } from './storage.js';

export interface LocalStorageConfig {
  dir: string;
}

/** A directory. Objects are written to a uniquely named partial file and renamed into place. */
export class LocalStorage implements Storage {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(config: LocalStorageConfig) {
    this.root = path.resolve(config.dir);
  }

  uriFor(key: string): string {
    return this.pathFor(key);
  }

  startUpload(key: string, contentType: string, body: Readable): StreamedUpload {
    return new LocalUpload(this.pathFor(key), { key, uri: this.pathFor(key), contentType }, body);
  }

  putObject(key: string, body: string | Buffer, contentType: string): Promise<StoredObjectInfo> {
    return this.writeAtomically(key, contentType, (partial) => writeFile(partial, body));
  }

  putFile(key: string, file: string, contentType: string): Promise<StoredObjectInfo> {
    return this.writeAtomically(key, contentType, (partial) => copyFile(file, partial));
  }

  /** Written beside the target and renamed into place: readers never see half a file. */
  private async writeAtomically(key: string, contentType: string, write: (partial: string) => Promise<void>): Promise<StoredObjectInfo> {
    const target = this.pathFor(key);
    const partial = partialPathFor(target);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await write(partial);
      await rename(partial, target);
      const { size } = await stat(target);
      return { key, uri: target, size, contentType };
    } catch (err) {
      await rm(partial, { force: true });
      throw toMeetcapError(err, 'upload_failed');
    }
  }

  async readObject(key: string): Promise<StoredObjectBody> {
    const file = this.pathFor(key);
    try {
      const info = await stat(file);
      if (!info.isFile()) throw Object.assign(new Error(`${key} is not a file`), { code: 'ENOENT' });
      // The stream opens lazily; a file removed in between surfaces as a read error to the consumer.
      return { body: createReadStream(file), size: info.size };
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new MeetcapError(missing ? 'source_not_found' : 'source_fetch_failed', `cannot read ${key}: ${(err as Error).message}`, { key });
    }
  }

  private pathFor(key: string): string {
    const target = path.resolve(this.root, validateKey(key));
    // Belt and braces on top of validateKey: whatever the key, we never write outside root.
    if (!target.startsWith(this.root + path.sep)) {
      throw new MeetcapError('upload_failed', 'storage key escapes the recordings directory', { key });
    }
    return target;
  }
}

function partialPathFor(target: string): string {
  return `${target}.partial-${randomBytes(6).toString('hex')}`;
}

type ObjectMeta = Omit<StoredObjectInfo, 'size'>;

class LocalUpload extends UploadLifecycle {
  private readonly counter = new ByteCounter();
  private readonly partial: string;
  private readonly written: Promise<void>;

  constructor(
    private readonly target: string,
    private readonly meta: ObjectMeta,
    private readonly body: Readable,
  ) {
    super();
    this.partial = partialPathFor(target);
    this.written = this.write();
    // The failure is reported by complete(); until then it must not be an unhandled rejection.
    this.written.catch(() => undefined);
  }

  get bytesIn(): number {
    return this.counter.bytes;
  }


  private async write(): Promise<void> {
    await mkdir(path.dirname(this.target), { recursive: true });
    await pipeline(this.body, this.counter, createWriteStream(this.partial, { flags: 'wx' }));
  }

  protected async finish(): Promise<StoredObjectInfo> {
    this.state = 'completing';
    try {
      await this.written;
      await rename(this.partial, this.target);
      this.state = 'completed';
      return { ...this.meta, size: this.counter.bytes };
    } catch (err) {
      this.state = 'aborted';
      await rm(this.partial, { force: true });
      throw toMeetcapError(err, 'upload_failed');
    }
  }

  protected async cleanUp(): Promise<void> {
    this.body.destroy();
    this.counter.destroy();
    // Wait for the writer to let go of the file before removing it, else it could be recreated.
    await this.written.catch(() => undefined);
    await rm(this.partial, { force: true });
  }
}
