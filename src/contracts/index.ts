export * from './errors.js';
export * from './states.js';
export * from './job.js';
export * from './file-job.js';
export * from './events.js';
export * from './ipc.js';
export * from './profile.js';
export * from './fleet-events.js';
