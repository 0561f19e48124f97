/**
 * Media quality analysis of a recorded file with the real ffmpeg: audio presence and gaps,
 * silent spans, sound onsets, video flash onsets and the A/V offset between them. Streams the
 * decode (constant memory), so it also runs on long recordings (bench, soak).
 */
export { audioOnsets, audioPresence, silentSpans } from './audio.js';
export type { AudioPresence, OnsetOptions, PresenceOptions, SilentSpanOptions, Span } from './audio.js';
export { avOffsets, pairNearest } from './av.js';
export type { AvOffsetOptions, AvPair } from './av.js';
export { frameLumas, videoFlashOnsets } from './video.js';
export type { FlashOptions, FrameLuma } from './video.js';
export { ANALYSIS_RATE } from './pcm.js';
