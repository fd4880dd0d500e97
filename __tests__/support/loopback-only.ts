/**
 * Keeps a test file on loopback. Every TCP client in Node (http, https, undici's fetch, the Azure SDK) ends in
 * `net.Socket.prototype.connect`; the guard refuses any connection whose host is not a loopback address, fails the
 * socket with a clear error, and records the attempt so the suite can assert none happened.
 */
import net from 'node:net'

export interface LoopbackGuard {
  /** Hosts something tried to reach, in order. */
  readonly blocked: string[]
  uninstall(): void
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost') return true
  if (net.isIPv4(bare)) return bare.startsWith('127.')
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./i.test(bare)
  return false
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket

export function installLoopbackGuard(): LoopbackGuard {
  const prototype = net.Socket.prototype as unknown as { connect: Connect }
  const original = prototype.connect
  const blocked: string[] = []
  prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    const target = connectTarget(args)
    if (target !== null && !isLoopbackHost(target)) {
      blocked.push(target)
      const error = new Error(`loopback-only test: refused a connection to ${target}`)
      process.nextTick(() => this.destroy(error))
      return this
    }
    return original.apply(this, args)
  }
  return {
    blocked,
    uninstall: () => {
      prototype.connect = original
    }
  }
}

/** The host a `connect` call aims at, or null for a local (IPC) socket. */
function connectTarget(args: unknown[]): string | null {
  // net.connect() passes its already-normalised [options, callback] pair as one array.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0]
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown }
    if (typeof options.path === 'string') return null
    return typeof options.host === 'string' ? options.host : 'localhost'
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof args[1] === 'string' ? args[1] : 'localhost'
  }
  if (typeof first === 'string') return null
  return 'localhost'
}
