/**
 * A process that streams a file into a spooled S3 upload at a steady pace and reports progress
 * on stdout, for tests that kill it (SIGKILL, by pid) mid-stream and recover what it left.
 * Usage: node --import tsx spool-writer.ts <file> <endpoint> <bucket> <key> <spoolDir> <spoolName> <bytesPerTick>
 */
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { setTimeout as tick } from 'node:timers/promises';
import { S3Storage } from '../../src/media/storage/s3.js';

const [file, endpoint, bucket, key, spoolDir, spoolName, perTick] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const bytes = await readFile(file);
const storage = new S3Storage({
  bucket, region: 'us-east-1', endpoint, forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  partSizeBytes: 5 * 1024 * 1024, spoolDir,
});
const body = new PassThrough();
const upload = storage.startUpload(key, 'video/mp4', body, { spoolName });
for (let at = 0; at < bytes.length; at += Number(perTick)) {
  body.write(bytes.subarray(at, at + Number(perTick)));
  await tick(10);
  process.stdout.write(`${JSON.stringify({ fed: Math.min(bytes.length, at + Number(perTick)), spooled: upload.spooledBytes })}\n`);
}
body.end();
await upload.complete();
process.stdout.write('{"done":true}\n');
