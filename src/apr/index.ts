/** The `.apr` model format: save, load and validate models, safe on any input. docs/apr-format.md has the bytes. */
export {
  AprError,
  FileNotFound,
  InvalidFormat,
  VersionMismatch,
  LoadError,
  APR_EXIT_CODES,
  aprExitCode,
  formatAprError,
  type AprErrorKind,
  type AprErrorCode
} from './errors.js'
export { ModelMetadata, PersistenceOptions, type AprMetadata, type AprMetadataFields } from './metadata.js'
export {
  APR_FORMAT_VERSION,
  APR_HEADER_LENGTH,
  MAX_METADATA_LENGTH,
  MAX_MODEL_DATA_LENGTH,
  MAX_FILE_LENGTH,
  ModelType,
  MODEL_TYPE_NAMES,
  Compression,
  COMPRESSION_NAMES,
  encodeAprFile,
  encodeModelData,
  encodeModelFile,
  parseAprFile,
  readModelData,
  decodeModelFile,
  decodeAprFile,
  type AprFile,
  type ModelTypeCode,
  type CompressionCode,
  type ModelsByType
} from './format.js'
export {
  saveKMeansModel,
  loadKMeansModel,
  saveIsolationForestModel,
  loadIsolationForestModel,
  saveBaselineModel,
  loadBaselineModel,
  validateModelFile,
  describeModelFile,
  type ModelFileDescription
} from './persistence.js'
export { RENACER_VERSION } from './version.js'
