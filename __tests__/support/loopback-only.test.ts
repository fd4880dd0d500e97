import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { installLoopbackGuard, isLoopbackHost, type LoopbackGuard } from './loopback-only.js'

let guard: LoopbackGuard
let server: Server

beforeAll(async () => {
  guard = installLoopbackGuard()
  server = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
})

afterAll(async () => {
  guard.uninstall()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

it('tells loopback hosts from the rest', () => {
  for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost'])
    expect(isLoopbackHost(host)).toBe(true)
  for (const host of ['10.0.0.1', '192.0.2.1', 'example.invalid', 'api.example.localhost', '::2']) {
    expect(isLoopbackHost(host)).toBe(false)
  }
})

it('lets loopback through and refuses anything else, for fetch and node:http alike', async () => {
  const { port } = server.address() as AddressInfo
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok')

  await expect(fetch('http://192.0.2.1:8080/')).rejects.toThrow()
  const { request } = await import('node:http')
  await expect(
    new Promise((resolve, reject) => request('http://192.0.2.7:8080/', resolve).on('error', reject).end())
  ).rejects.toThrow(/loopback-only test: refused a connection to 192.0.2.7/)
  expect(guard.blocked).toEqual(['192.0.2.1', '192.0.2.7'])
})
