export { PageCapture, type PageCaptureOptions, type CaptureStartOptions, type CaptureStopResult } from './page-capture.js';
export { startCaptureServer, redactPath, type CaptureServer, type CaptureServerOptions, type ChunkSink } from './server.js';
export { recorderScript, recorderCall } from './scripts.js';
