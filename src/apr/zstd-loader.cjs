'use strict'
// Loads the native zstd binding of @mongodb-js/zstd 1.2.2 for this platform, by path.
//
// The package's own loader breaks once ncc bundles it into ESM (`__dirname is not defined`), and the arm64 binary
// cannot be installed through npm on an x64 machine, so this file requires the `.node` files directly: ncc sees each
// static `require('....node')`, copies the binary into dist/ and rewrites the path. The binding is loaded on first
// use, so importing the library on another platform works until zstd is actually needed.

let binding = null

function unavailable(message) {
  const err = new Error(message)
  err.code = 'APR_ZSTD_UNAVAILABLE'
  return err
}

function loadZstdBinding() {
  if (binding !== null) return binding
  const platform = `${process.platform}-${process.arch}`
  try {
    if (platform === 'linux-x64') {
      binding = require('@mongodb-js/zstd-linux-x64-gnu/zstd.linux-x64-gnu.node')
    } else if (platform === 'linux-arm64') {
      binding = require('../../vendor/zstd-linux-arm64-gnu/zstd.linux-arm64-gnu.node')
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw unavailable(
      `zstd: cannot load the native zstd binding for ${platform} (glibc required; musl is not supported): ${reason}`
    )
  }
  if (binding === null) {
    throw unavailable(
      `zstd: no native zstd binding for ${platform}; renacer-action ships linux-x64 and linux-arm64 (glibc) only. ` +
        'Save models with compression off (PersistenceOptions.withCompression(false)) to read and write them here.'
    )
  }
  return binding
}

module.exports = { loadZstdBinding }
