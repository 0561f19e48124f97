export * from './args.js';
export * from './progress.js';
export * from './process.js';
export * from './probe.js';
