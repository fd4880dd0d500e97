export type * from '../tracing/types.js'
export type * from '../models/types.js'
