import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { FEATURE_NAMES, applyScaler, featureRows, fitScaler, toRunRecord } from '../../src/models/index.js'
import type { RunRecord } from '../../src/models/index.js'
import { loadProfile } from '../fixtures/gate/profile-fixture.js'

describe('featureRows', () => {
  test('one row per called syscall, sorted by name, one value per feature name', () => {
    const record = toRunRecord(loadProfile('tsc-clean-1'))
    const rows = featureRows(record)
    const called = Object.entries(record.syscalls)
      .filter(([, r]) => r[0] > 0)
      .map(([n]) => n)
    expect(rows.map((r) => r.syscall)).toEqual([...called].sort())
    for (const r of rows) expect(r.values).toHaveLength(FEATURE_NAMES.length)
  })

  test('does not depend on the order the syscalls were inserted in', () => {
    const record = toRunRecord(loadProfile('cbuild-clean-1'))
    const reversed: RunRecord = {
      ...record,
      syscalls: Object.fromEntries(Object.entries(record.syscalls).reverse())
    }
    expect(featureRows(reversed)).toEqual(featureRows(record))
  })

  test('error rate is errors / calls and time shares sum to 1', () => {
    const record = toRunRecord(loadProfile('cbuild-clean-1'))
    const rows = featureRows(record)
    const readlink = rows.find((r) => r.syscall === 'readlink')
    const [calls, errors] = record.syscalls.readlink ?? [1, 0]
    expect(readlink?.values[FEATURE_NAMES.indexOf('error_rate')]).toBeCloseTo(errors / calls, 12)
    const shares = rows.reduce((a, r) => a + (r.values[FEATURE_NAMES.indexOf('time_share')] ?? 0), 0)
    expect(shares).toBeCloseTo(1, 9)
  })
})

describe('scaling', () => {
  const matrix = fc.array(
    fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 4, maxLength: 4 }),
    { minLength: 1, maxLength: 30 }
  )

  test('never divides by zero: every scaled value is finite, constant columns scale to 0', () => {
    fc.assert(
      fc.property(matrix, (rows) => {
        const scaler = fitScaler(rows)
        expect(scaler.std.every((s) => s > 0)).toBe(true)
        for (const row of rows) expect(applyScaler(scaler, row).every(Number.isFinite)).toBe(true)
      })
    )
    const scaler = fitScaler([
      [1, 5, 0, 0],
      [1, 7, 0, 0]
    ])
    expect(applyScaler(scaler, [1, 5, 0, 0])).toEqual([0, -1, 0, 0])
  })
})
