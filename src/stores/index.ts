export * from './types.js'
export { InvalidBaselineName, MAX_BASELINE_NAME_LENGTH, validateBaselineName } from './names.js'
export { LocalStore, LOCAL_MANIFEST_FILE, type BaselineSource, type LocalStoreOptions } from './local.js'
export {
  ArtifactStore,
  BaselineNameConflict,
  DEFAULT_REST_RETRY,
  DEFAULT_TRUSTED_EVENTS,
  type ArtifactStoreConfig,
  type RestRetryPolicy
} from './artifact.js'
