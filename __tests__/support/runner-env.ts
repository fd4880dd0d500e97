/**
 * Process environment for tests that play a GitHub runner: set variables, restore everything afterwards, and keep
 * the clients away from any proxy the machine may be configured with.
 */
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']

export interface RunnerEnv {
  set(variables: Record<string, string>): void
  restore(): void
}

export function useRunnerEnv(): RunnerEnv {
  const saved = { ...process.env }
  for (const name of PROXY_VARIABLES) delete process.env[name]
  process.env['NO_PROXY'] = '127.0.0.1,localhost'
  return {
    set(variables) {
      Object.assign(process.env, variables)
    },
    restore() {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
      Object.assign(process.env, saved)
    }
  }
}
