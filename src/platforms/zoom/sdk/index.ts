export { createZoomSdkAdapter, toProbe, type SdkJoinArgs, type SdkPageStatus, type ZoomSdkAdapterConfig } from './adapter.js';
export { startSdkAssetServer, ZOOM_SDK_VERSION, type SdkAssetServer } from './assets.js';
export { LEAVE_REASONS, SDK_ERROR_REASONS, reasonForSdkError, reasonForUserLeave } from './errors.js';
export {
  SDK_SIGNATURE_CLOCK_SKEW_SEC,
  SDK_SIGNATURE_DEFAULT_LIFETIME_SEC,
  SDK_SIGNATURE_MAX_LIFETIME_SEC,
  SDK_SIGNATURE_MIN_LIFETIME_SEC,
  signMeetingSdkSignature,
  type SdkSignatureInput,
} from './signature.js';
