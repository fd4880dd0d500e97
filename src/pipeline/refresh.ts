import { ModelMetadata, PersistenceOptions, saveBaselineModel } from '../apr/index.js'
import { TRACED_LABEL } from '../gate/comparable.js'
import { appendRun, toRunRecord, trainBaselineModel, type TrainOptions } from '../models/index.js'
import type { BaselineModel, BaselineWindow } from '../models/types.js'
import type { SyscallProfile } from '../tracing/types.js'

/**
 * The baseline after these runs: appended to `existing`'s window (oldest dropped past `capacity`), models retrained
 * on the whole window. Pure; `recordedAt` is Unix seconds.
 */
export function refreshBaseline(
  existing: BaselineModel | null,
  profiles: readonly SyscallProfile[],
  labels: Record<string, string>,
  recordedAt: number,
  capacity: number,
  train: Partial<TrainOptions>
): BaselineModel {
  let window: BaselineWindow | null = existing?.window ?? null
  for (const profile of profiles) {
    // Each run keeps what it traced, so the gate can compare like with like (src/gate/comparable.ts).
    const record = toRunRecord(
      profile,
      { ...labels, [TRACED_LABEL]: JSON.stringify(profile.traced) },
      recordedAt
    )
    window = appendRun(window, record, capacity)
  }
  if (window === null) throw new Error('refreshBaseline: no run to add')
  return trainBaselineModel(window, train)
}

/** Writes the baseline atomically (temp file + rename: a failed save leaves the previous file as it was). */
export async function writeBaseline(
  model: BaselineModel,
  file: string,
  train: TrainOptions,
  description: string
): Promise<void> {
  const metadata = new ModelMetadata(model.window.runs.length)
    .withHyperparameter('window', String(model.window.capacity))
    .withHyperparameter('n_clusters', String(train.clusters))
    .withHyperparameter('n_trees', String(train.trees))
    .withHyperparameter('contamination', String(train.contamination))
    .withHyperparameter('seed', String(train.seed))
    .withDescription(description)
  const options = new PersistenceOptions().withName('baseline').withDescription(description)
  await saveBaselineModel(model, file, options, metadata)
}
