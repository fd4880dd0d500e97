import * as core from '@actions/core'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { ArtifactStore } from '../stores/artifact.js'
import { LocalStore } from '../stores/local.js'
import type { BaselineStore } from '../stores/types.js'
import { readConfig, type ActionConfig } from './config.js'
import { runAction, type ActionIO } from './pipeline.js'
import { ensureStrace } from './strace-setup.js'

/** The action's front door: typed config, the pipeline, and the one place an error becomes setFailed. */
export async function run(): Promise<void> {
  try {
    const config = readConfig((name) => core.getInput(name))
    await ensureStrace((line) => core.info(line))
    const outcome = await runAction(config, storeFor(config), coreIO, outputFolder(config))
    if (outcome.failure !== null) core.setFailed(outcome.failure)
  } catch (err) {
    core.setFailed(err instanceof Error ? err : String(err))
  }
}

/** On a runner, baselines are artifacts; anywhere else (a laptop, the tests), a folder. */
function storeFor(config: ActionConfig): BaselineStore {
  if (!config.github.hasArtifactService) return new LocalStore(config.storeDir)
  return new ArtifactStore({
    token: config.githubToken,
    repository: config.github.repository,
    apiUrl: config.github.apiUrl,
    serverUrl: config.github.serverUrl,
    currentRunId: config.github.runId === '' ? null : config.github.runId,
    trustedBranch: config.github.trustedBranch
  })
}

function outputFolder(config: ActionConfig): string {
  const base = process.env.RUNNER_TEMP ?? join(process.env.GITHUB_WORKSPACE ?? tmpdir(), '.renacer')
  return join(base, 'renacer-action', config.baselineArtifact)
}

const coreIO: ActionIO = {
  info: (message) => core.info(message),
  annotate: ({ level, title, message }) => {
    switch (level) {
      case 'error':
        core.error(message, { title })
        return
      case 'warning':
        core.warning(message, { title })
        return
      case 'notice':
        core.notice(message, { title })
        return
    }
  },
  setOutput: (name, value) => core.setOutput(name, value),
  writeSummary: async (markdown) => {
    if (!process.env.GITHUB_STEP_SUMMARY) return
    await core.summary.addRaw(markdown).write()
  },
  writeStdout: (text) => {
    process.stdout.write(text)
  }
}
