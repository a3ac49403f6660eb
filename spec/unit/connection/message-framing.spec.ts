// frameMessagesInPlace must hand on the very messages bolt-connection's
// Dechunker hands on, in the same order, however the server chunks them and
// however the socket cuts the bytes into reads (empty keep-alive chunks,
// messages in several chunks, cuts inside a size or a message), and a read
// past a message's end must break the connection as it does there.
import { expect } from 'chai'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { frameMessagesInPlace } from '../../../lib/connection/message-framing.js'
import { takesTransientReads } from '../../../lib/connection/socket-reads.js'

const require = createRequire(import.meta.url)
const { Dechunker } = require('neo4j-driver-bolt-connection/lib/channel/chunking.js')
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf.js').default

interface Reader { remaining: () => number, readUInt8: () => number }
/** What a protocol's unpack sees: every byte of the message, read one by one as the unpacker reads. */
const readAll = (message: unknown): number[] => {
  const reader = message as Reader
  const bytes: number[] = []
  while (reader.remaining() > 0) bytes.push(reader.readUInt8())
  return bytes
}

/** A connection as frameMessagesInPlace uses it: its channel, its protocol's unpack and response handler, its fatal-error path. */
function fakeConnection (unpack: (message: unknown) => unknown): { connection: never, channel: { onmessage?: (buffer: unknown) => void }, delivered: unknown[], fatal: Error[], read: (bytes: Buffer) => void } {
  const delivered: unknown[] = []
  const fatal: Error[] = []
  const channel: { onmessage?: (buffer: unknown) => void } = {}
  const connection = {
    _ch: channel,
    protocol: () => ({ unpack, _responseHandler: { handleResponse: (message: unknown) => delivered.push(message) } }),
    _handleFatalError: (error: Error) => fatal.push(error)
  }
  frameMessagesInPlace(connection as never)
  return { connection: connection as never, channel, delivered, fatal, read: (bytes) => channel.onmessage?.(new ChannelBuffer(bytes)) }
}

/** bolt-connection's own framing of the same reads. */
function theirs (unpack: (message: unknown) => unknown, reads: Buffer[]): { delivered: unknown[], fatal: Error[] } {
  const delivered: unknown[] = []
  const fatal: Error[] = []
  const dechunker = new Dechunker()
  dechunker.onmessage = (message: unknown) => { try { delivered.push(unpack(message)) } catch (error) { fatal.push(error as Error) } }
  for (const bytes of reads) dechunker.write(new ChannelBuffer(bytes))
  return { delivered, fatal }
}

/** A message's bytes in chunks of at most `maxChunk`, closed by an empty chunk; optional keep-alive chunks before it. */
function frame (message: Uint8Array, maxChunk: number, keepAlives: number): number[] {
  const out: number[] = []
  for (let i = 0; i < keepAlives; i++) out.push(0, 0)
  for (let at = 0; at < message.length; at += maxChunk) {
    const chunk = message.subarray(at, Math.min(message.length, at + maxChunk))
    out.push(chunk.length >> 8, chunk.length & 0xff, ...chunk)
  }
  out.push(0, 0)
  return out
}

function cut (stream: number[], cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map(c => c % (stream.length + 1)))].sort((a, b) => a - b)
  const reads: Buffer[] = []
  let from = 0
  for (const point of [...points, stream.length]) {
    if (point > from) reads.push(Buffer.from(stream.slice(from, point)))
    from = Math.max(from, point)
  }
  return reads
}

const messages = fc.array(fc.record({
  bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  maxChunk: fc.oneof(fc.constant(65535), fc.integer({ min: 1, max: 120 })),
  keepAlives: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 }))
}), { minLength: 1, maxLength: 12 })

describe('connection: Bolt messages framed in place', () => {
  it('hands on what bolt-connection\'s Dechunker hands on, for any chunking and any reads', () => {
    fc.assert(fc.property(messages, fc.array(fc.nat(), { maxLength: 12 }), (generated, cuts) => {
      const stream = generated.flatMap(({ bytes, maxChunk, keepAlives }) => frame(bytes, maxChunk, keepAlives))
      const reads = cut(stream, cuts)
      const ours = fakeConnection(readAll)
      for (const bytes of reads) ours.read(bytes)
      const expected = theirs(readAll, reads)
      expect(ours.delivered).to.deep.equal(expected.delivered)
      expect(ours.delivered).to.deep.equal(generated.map(({ bytes }) => [...bytes]))
      expect(ours.fatal).to.deep.equal([])
    }), { numRuns: 500 })
  })

  it('reads in one buffer that each next read overwrites (socket-reads.ts) give the same messages: what is kept is copied', () => {
    fc.assert(fc.property(messages, fc.array(fc.nat(), { maxLength: 12 }), (generated, cuts) => {
      const stream = generated.flatMap(({ bytes, maxChunk, keepAlives }) => frame(bytes, maxChunk, keepAlives))
      const reads = cut(stream, cuts)
      const ours = fakeConnection(readAll)
      const shared = Buffer.alloc(stream.length + 8)
      const window = new ChannelBuffer(shared)
      for (const bytes of reads) {
        bytes.copy(shared, 0)
        window.position = 0
        window.length = bytes.length
        ours.channel.onmessage?.(window)
        shared.fill(0xee)
      }
      expect(ours.delivered).to.deep.equal(generated.map(({ bytes }) => [...bytes]))
      expect(ours.fatal).to.deep.equal([])
    }), { numRuns: 500 })
  })

  it('declares, once installed, that its channel may be given transient reads', () => {
    const ours = fakeConnection(readAll)
    expect(takesTransientReads(ours.channel as never)).to.equal(true)
    expect(takesTransientReads({} as never)).to.equal(false)
  })

  it('one read of whole one-chunk messages: each decoded where it lies, none copied', () => {
    const seen: Array<{ sameBytes: boolean, position: number, length: number }> = []
    const stream = Buffer.from([...frame(Uint8Array.of(1, 2, 3), 100, 0), ...frame(Uint8Array.of(4, 5), 100, 1)])
    const ours = fakeConnection((message) => {
      const m = message as { _buffer: Buffer, position: number, length: number }
      seen.push({ sameBytes: m._buffer === stream, position: m.position, length: m.length })
      return readAll(message)
    })
    ours.read(stream)
    expect(ours.delivered).to.deep.equal([[1, 2, 3], [4, 5]])
    expect(seen).to.deep.equal([{ sameBytes: true, position: 2, length: 5 }, { sameBytes: true, position: 11, length: 13 }])
  })

  it('a read past the message\'s end breaks the connection, as with bolt-connection, and the next message still arrives', () => {
    const overreach = (message: unknown): unknown => { const reader = message as Reader; const first = reader.readUInt8(); reader.readUInt8(); reader.readUInt8(); return first }
    const stream = Buffer.from([...frame(Uint8Array.of(9, 9), 100, 0), ...frame(Uint8Array.of(7, 7, 7), 100, 0)])
    const ours = fakeConnection(overreach)
    ours.read(stream)
    const expected = theirs(overreach, [stream])
    expect(ours.fatal.map(e => e.constructor.name)).to.deep.equal(expected.fatal.map(e => e.constructor.name)).and.to.deep.equal(['RangeError'])
    expect(ours.delivered).to.deep.equal(expected.delivered).and.to.deep.equal([7])
  })
})
