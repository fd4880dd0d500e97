import { describe, expect, it } from '@jest/globals'
import { spawn, execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FifoPoller } from '../../src/tracing/fifo.js'

describe('FifoPoller', () => {
  it('delivers every byte a writer process sends, in order, in bursts larger than the pipe, then ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renacer-fifo-'))
    const fifo = join(dir, 'f')
    try {
      execFileSync('mkfifo', [fifo])
      const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
      // 200k numbered lines (~1.3 MB): the pipe fills many times over between polls.
      const writer = spawn('sh', ['-c', `seq 1 200000 > ${fifo}; sleep 0.05; seq 200001 200010 > ${fifo}`], {
        stdio: 'ignore'
      })
      const chunks: Buffer[] = []
      // Hold a write end until the writer is done, as traceCommand does, so the gap between its two opens is no EOF.
      const holdFd = openSync(fifo, constants.O_WRONLY)
      const poller = new FifoPoller(readFd, (chunk) => chunks.push(Buffer.from(chunk)))
      const done = poller.run()
      await new Promise((resolve) => writer.on('exit', resolve))
      closeSync(holdFd)
      poller.hurry()
      await done
      closeSync(readFd)
      const lines = Buffer.concat(chunks).toString('latin1').split('\n')
      expect(lines.pop()).toBe('')
      expect(lines.length).toBe(200_010)
      expect(lines.every((line, i) => line === String(i + 1))).toBe(true)
      expect(poller.polls).toBeLessThan(lines.length / 10) // batched reads, not one per write
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
