import { describe, expect, it } from '@jest/globals'
import { emptyProfile } from '../../src/tracing/types.js'

describe('emptyProfile', () => {
  it('starts with no syscalls and a zero exit code', () => {
    const p = emptyProfile()
    p.syscalls.push({ name: 'read', calls: 1, errors: 0, errnos: {}, time_us: 1, min_us: 1, max_us: 1, mean_us: 1 })
    expect(emptyProfile().syscalls).toHaveLength(0)
    expect(p.exit_code).toBe(0)
  })
})
