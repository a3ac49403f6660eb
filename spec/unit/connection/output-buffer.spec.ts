// flushWithoutReallocating must send exactly what bolt-connection's Chunker
// sends, flush by flush, for any mix of requests, sizes and flushes (its
// buffer reused, so a later flush must never carry an earlier one's bytes).
import { expect } from 'chai'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { flushWithoutReallocating } from '../../../lib/connection/output-buffer.js'

const require = createRequire(import.meta.url)
const { Chunker } = require('neo4j-driver-bolt-connection/lib/channel/chunking.js')
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf.js').default

type Step = { kind: 'byte', value: number } | { kind: 'bytes', value: Uint8Array } | { kind: 'int16', value: number } | { kind: 'boundary' } | { kind: 'flush' }

const steps = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 200 }) }),
  fc.record({ kind: fc.constant('int16' as const), value: fc.integer({ min: -32768, max: 32767 }) }),
  fc.record({ kind: fc.constant('boundary' as const) }),
  fc.record({ kind: fc.constant('flush' as const) })
), { maxLength: 60 })

/** The socket writes a chunker makes for the steps, each write's bytes as they were when written and as they are at the end. */
function writes (reuse: boolean, bufferSize: number, run: Step[]): { atWrite: number[][], atEnd: number[][] } {
  const written: Buffer[] = []
  const atWrite: number[][] = []
  const chunker = new Chunker({ write: (buffer: { _buffer: Buffer }) => { written.push(buffer._buffer); atWrite.push([...buffer._buffer]) } }, bufferSize)
  if (reuse) flushWithoutReallocating(chunker)
  for (const step of run) {
    if (step.kind === 'byte') chunker.writeUInt8(step.value)
    else if (step.kind === 'bytes') chunker.writeBytes(new ChannelBuffer(Buffer.from(step.value)))
    else if (step.kind === 'int16') chunker.writeInt16(step.value)
    else if (step.kind === 'boundary') chunker.messageBoundary()
    else chunker.flush()
  }
  chunker.flush()
  return { atWrite, atEnd: written.map(b => [...b]) }
}

describe('connection: the output buffer reused across flushes', () => {
  it('sends what bolt-connection\'s Chunker sends, write by write, and no write changes after it is made', () => {
    fc.assert(fc.property(steps, fc.oneof(fc.constant(1400), fc.integer({ min: 8, max: 64 })), (run, bufferSize) => {
      const theirs = writes(false, bufferSize, run)
      const ours = writes(true, bufferSize, run)
      expect(ours.atWrite).to.deep.equal(theirs.atWrite)
      expect(ours.atEnd).to.deep.equal(ours.atWrite)
    }), { numRuns: 500 })
  })

  it('an empty buffer flushes nothing', () => {
    expect(writes(true, 1400, [{ kind: 'flush' }, { kind: 'flush' }]).atWrite).to.deep.equal([])
  })
})
