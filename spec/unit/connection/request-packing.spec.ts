// packPlainRequestsDirectly must put on the wire exactly the bytes
// bolt-connection's own packing puts there, flush by flush, for any requests
// (plain ones, which it packs, and every other value, which it leaves to
// bolt-connection), whatever room is left in the output buffer.
import { expect } from 'chai'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import neo4jCore, { int, internal } from 'neo4j-driver-core'
import { packPlainRequestsDirectly, PlainRequestPacker, TYPE_MARKS } from '../../../lib/connection/request-packing.js'

const require = createRequire(import.meta.url)
const { Chunker } = require('neo4j-driver-bolt-connection/lib/channel/chunking.js')
const BoltProtocolV5x8 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v5x8.js').default
const BoltProtocolV6x0 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v6x0.js').default

interface Request { signature: number, fields: unknown[], toString: () => string }
interface Sent { writes: number[][], queued: number, lastSignature: unknown, error: string | undefined }

/** A protocol of bolt-connection's over a chunker of `bufferSize` whose socket writes are recorded. */
function send (direct: boolean, version: 'v5x8' | 'v6x0', bufferSize: number, requests: Array<{ request: Request, flush: boolean }>): Sent {
  const writes: number[][] = []
  let queued = 0
  const chunker = new Chunker({ write: (buffer: { _buffer: Buffer }) => writes.push([...buffer._buffer]) }, bufferSize)
  const Protocol = version === 'v5x8' ? BoltProtocolV5x8 : BoltProtocolV6x0
  const protocol = new Protocol({}, chunker, { disableLosslessIntegers: false, useBigInt: false }, () => ({ _queueObserver: () => { queued++; return true } }), internal.logger.Logger.noOp(), () => {})
  if (direct) packPlainRequestsDirectly(protocol)
  let error: string | undefined
  try {
    for (const { request, flush } of requests) protocol.write(request, {}, flush)
  } catch (e) {
    error = (e as Error).message
  }
  chunker.flush()
  return { writes, queued, lastSignature: protocol._lastMessageSignature, error }
}

const request = (signature: number, fields: unknown[]): Request => ({ signature, fields, toString: () => `request ${signature}` })

const key = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('db', 'bookmarks', 'tx_metadata', 'n', 'qid', 'mode', '__x', '__isPoint__', 'é', '\uD800'))
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ minLength: 200, maxLength: 320 }),
  fc.constantFrom('MERGE (n:X {id: $id}) RETURN n.id', 'RETURN 1', 'neo4j', '\uDC00x', 'ж')
)
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
const integer = fc.oneof(fc.integer({ min: -200, max: 200 }), fc.integer({ min: -70000, max: 70000 }), fc.integer(), int64).map(v => int(v as number | bigint))
/** Values bolt-connection packs its own way (class instances, marked objects, bigint, bytes, iterables), and unpackable ones. */
const other = fc.constantFrom<unknown>(
  new neo4jCore.Date(2024, 1, 2), new neo4jCore.Point(7203, 1, 2), new neo4jCore.Duration(1, 2, 3, 4), new neo4jCore.LocalTime(1, 2, 3, 4),
  Int8Array.of(1, 2, 3), 12n, new Date(0), new Map([['a', 1]]), new Set([1]), { __isPoint__: true, srid: 7203, x: 1, y: 2 },
  { [Symbol.iterator]: function * () { yield 1 } }, Object.assign([1, 2], { __isPoint__: true }), () => 1, Symbol('s')
)
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.double(), text, integer,
    fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 6 }),
    fc.dictionary(key, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 6 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }).map(o => Object.assign(Object.create(null), o)),
    fc.array(fc.integer(), { minLength: 16, maxLength: 300 }),
    fc.oneof({ weight: 1, arbitrary: other }, { weight: 9, arbitrary: fc.constant(null) })
  )
})).value
const requests = fc.array(fc.record({
  request: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.array(value, { maxLength: 3 })).map(([signature, fields]) => request(signature, fields)),
  flush: fc.boolean()
}), { minLength: 1, maxLength: 6 })

describe('connection: plain requests packed directly', () => {
  it('writes what bolt-connection writes, flush by flush, for any requests and any room left in the buffer', () => {
    fc.assert(fc.property(requests, fc.oneof(fc.constant(1400), fc.integer({ min: 16, max: 400 })), fc.constantFrom('v5x8' as const, 'v6x0' as const), (generated, bufferSize, version) => {
      const theirs = send(false, version, bufferSize, generated)
      const ours = send(true, version, bufferSize, generated)
      expect(ours).to.deep.equal(theirs)
    }), { numRuns: 1500 })
  })

  it('packs the driver\'s own requests itself (BEGIN, RUN with parameters, PULL, COMMIT)', () => {
    const chunker = new Chunker({ write: () => {} })
    const packer = new PlainRequestPacker()
    const begin = request(0x11, [{ bookmarks: ['FB:kcwQ'], db: 'neo4j', tx_metadata: { app: 'x' }, tx_timeout: int(5000) }])
    const run = request(0x10, ['MERGE (n:X {id: $id}) RETURN n.id', { id: 42, list: [1, 'two', null, true] }, {}])
    const pull = request(0x3f, [{ n: int(1000), qid: int(-1) }])
    const commit = request(0x12, [])
    for (const r of [begin, run, pull, commit]) expect(packer.packInto(chunker, r), String(r.signature)).to.equal(true)
  })

  it('leaves a request holding anything else to bolt-connection, with the output buffer untouched', () => {
    const chunker = new Chunker({ write: () => {} })
    const packer = new PlainRequestPacker()
    for (const v of [new neo4jCore.Date(2024, 1, 2), 5n, { __isInteger__: true, low: 1, high: 0 }, [new Date(0)]]) {
      expect(packer.packInto(chunker, request(0x10, ['RETURN $x', { x: v }, {}]))).to.equal(false)
      expect(chunker._buffer.position).to.equal(0)
      expect(chunker._chunkOpen).to.equal(false)
    }
  })

  it('knows every type mark core\'s checks look for', () => {
    const root = dirname(require.resolve('neo4j-driver-core/package.json'))
    const marks = new Set<string>()
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) walk(path)
        else if (entry.name.endsWith('.js')) for (const m of readFileSync(path, 'utf8').matchAll(/['"](__is[A-Za-z]+__)['"]/g)) marks.add(m[1] as string)
      }
    }
    walk(join(root, 'lib'))
    expect(marks.size).to.be.greaterThan(10)
    expect([...marks].filter(m => !TYPE_MARKS.includes(m))).to.deep.equal([])
  })
})
