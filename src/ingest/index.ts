export { runIngest, fileObjectKeys } from './run.js';
export { assertUrlAllowed, isUrlAllowed, loadTenantSettings, safeUrl, TenantSettingsSchema, type TenantSettings } from './allow-list.js';
export type { FileManifest, FileSourceInfo } from './manifest.js';
