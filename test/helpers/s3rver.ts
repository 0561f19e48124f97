import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/**
 * A real s3rver on 127.0.0.1 (port 0) in a temp directory.
 *
 * s3rver 3.7 keeps a pending multipart upload's parts in
 * `<dir>/<bucket>/._S3rver_uploads/<uploadId>/<partNumber>` and removes that directory only on
 * CompleteMultipartUpload: it does not implement AbortMultipartUpload (DELETE ?uploadId= answers
 * 405 MethodNotAllowed) nor ListMultipartUploads. So that an abort can be tested for real, this
 * harness adds AbortMultipartUpload with S3's semantics (204; NoSuchUpload when unknown) in front
 * of s3rver's router. Everything else is s3rver's own.
 */
export interface TestS3 {
  endpoint: string;
  bucket: string;
  dir: string;
  /** Upload ids with parts still stored (pending multipart uploads). */
  pendingUploads(): Promise<string[]>;
  close(): Promise<void>;
}

interface KoaLikeContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  status: number;
  body: unknown;
  type: string;
}

export async function startS3rver(bucket = 'recordings'): Promise<TestS3> {
  const dir = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const uploadsDir = path.join(dir, bucket, '._S3rver_uploads');
  (server as unknown as { middleware: unknown[] }).middleware.unshift(abortMultipartMiddleware(dir));
  const { port } = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    dir,
    pendingUploads: async () => readdir(uploadsDir).catch(() => []),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function abortMultipartMiddleware(dir: string) {
  return async (ctx: KoaLikeContext, next: () => Promise<void>): Promise<void> => {
    const uploadId = ctx.query['uploadId'];
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string') return next();
    const bucket = decodeURIComponent(ctx.path.split('/')[1] ?? '');
    const uploadDir = path.join(dir, bucket, '._S3rver_uploads', path.basename(uploadId));
    const exists = await readdir(uploadDir).then(() => true, () => false);
    if (!exists) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${uploadId}</UploadId></Error>`;
      return;
    }
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
  };
}
