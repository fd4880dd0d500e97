import * as core from '@actions/core'

export async function run(): Promise<void> {
  try {
    await Promise.resolve()
    core.info('renacer-action: not wired yet')
  } catch (err) {
    core.setFailed(err instanceof Error ? err : String(err))
  }
}
