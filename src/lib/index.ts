export type * from '../tracing/types.js'
export type * from '../models/types.js'
export * from '../tracing/index.js'
export * from '../apr/index.js'
