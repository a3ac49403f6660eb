// The fast map decoding must give exactly the objects bolt-connection's own
// decoder gives: same own properties, same order, same descriptors, same
// prototype, whatever the keys (`__proto__` and Object.prototype's names too,
// non-ASCII, long ones, remembered ones, and messages split across chunks).
import { expect } from 'chai'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { PackStreamWriter, writePackValue, type PackValue } from '../../../cluster-fixture/bolt/packstream.js'
import { decodeMapsAsPlainObjects } from '../../../lib/connection/map-decoding.js'

const require = createRequire(import.meta.url)
const { v1, v2 } = require('neo4j-driver-bolt-connection/lib/packstream/index.js')
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf.js').default
const CombinedBuffer = require('neo4j-driver-bolt-connection/lib/channel/combined-buf.js').default

type Entries = Array<[string, Value]>
type Value = null | boolean | bigint | string | Value[] | { entries: Entries }

/** A map's bytes written entry by entry, so keys such as `__proto__` reach the wire as they are. */
function write (writer: PackStreamWriter, value: Value): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    writer.writeMapHeader(value.entries.length)
    for (const [key, item] of value.entries) { writer.writeString(key); write(writer, item) }
  } else if (Array.isArray(value)) {
    writer.writeListHeader(value.length)
    for (const item of value) write(writer, item)
  } else {
    writePackValue(writer, value as PackValue)
  }
}

function bytesOf (value: Value): Buffer {
  const writer = new PackStreamWriter(64)
  write(writer, value)
  return writer.take()
}

interface Unpacker { unpack: (buffer: unknown) => unknown, _unpackMapWithSize: (...args: unknown[]) => Record<string, unknown> }

function decode (unpacker: Unpacker, bytes: Buffer): unknown {
  return unpacker.unpack(new ChannelBuffer(bytes))
}

/** Everything about an object that a reader could tell apart, recursively. */
function shape (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape)
  if (value === null || typeof value !== 'object') return value
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype) return value // an Integer (compared deeply by chai)
  return {
    prototype: 'Object.prototype',
    properties: Reflect.ownKeys(value).map((key) => {
      const { value: item, ...flags } = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor
      return [key, flags, shape(item)]
    })
  }
}

const SPECIAL_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '0', '7', 'length', '']

// Keys around the remembered ones' bounds: ASCII up to 32 bytes (tiny strings up to 15, then 8-bit sizes), longer, and not ASCII.
const key = fc.oneof(
  fc.constantFrom(...SPECIAL_KEYS),
  fc.string({ maxLength: 8 }),
  fc.string({ minLength: 14, maxLength: 40 }),
  fc.string({ maxLength: 6, unit: 'binary' }),
  fc.constantFrom('fields', 't_first', 'qid', 'bookmark', 'properties-set', 'contains-updates', 'é', 'naïve', 'k\u0000')
)
const { value } = fc.letrec<{ value: Value, map: { entries: Entries } }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string({ maxLength: 12 }),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('map')
  ) as fc.Arbitrary<Value>,
  map: fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 6, selector: ([k]) => k }).map((entries) => ({ entries }))
}))

describe('connection: PackStream maps decoded as plain objects', () => {
  for (const [name, Unpacker] of [['PackStream v1', v1.Unpacker], ['PackStream v2', v2.Unpacker]] as const) {
    it(`${name}: gives what bolt-connection's own decoder gives, for any keys and nesting`, () => {
      const original = new Unpacker() as Unpacker
      const fast = new Unpacker() as Unpacker
      decodeMapsAsPlainObjects(fast)
      fc.assert(fc.property(value, (generated) => {
        const bytes = bytesOf(generated)
        expect(shape(decode(fast, bytes))).to.deep.equal(shape(decode(original, bytes)))
      }), { numRuns: 400 })
    })
  }

  it('a message split across chunks (CombinedBuffer) and a key cut short decode as bolt-connection decodes them', () => {
    const original = new v2.Unpacker() as Unpacker
    const fast = new v2.Unpacker() as Unpacker
    decodeMapsAsPlainObjects(fast)
    fc.assert(fc.property(value, fc.nat(), (generated, cut) => {
      const bytes = bytesOf(generated)
      const at = bytes.length < 2 ? 0 : 1 + (cut % (bytes.length - 1))
      const split = (): unknown => new CombinedBuffer([new ChannelBuffer(bytes.subarray(0, at)), new ChannelBuffer(bytes.subarray(at))])
      expect(shape(fast.unpack(split()))).to.deep.equal(shape(original.unpack(split())))
    }), { numRuns: 200 })
    // A map whose 5-byte key ends early: both decoders see the same short bytes.
    const short = Buffer.from([0xa1, 0x85, 0x61, 0x62])
    const outcome = (unpacker: Unpacker): unknown => { try { return shape(decode(unpacker, short)) } catch (error) { return (error as Error).constructor.name } }
    expect(outcome(fast)).to.deep.equal(outcome(original))
  })

  it('a remembered key is the same string as when first decoded, and any bytes give their own key', () => {
    const fast = new v2.Unpacker() as Unpacker
    decodeMapsAsPlainObjects(fast)
    const keysOf = (entries: Entries): string[] => Object.keys(decode(fast, bytesOf({ entries })) as object)
    for (let round = 0; round < 3; round++) {
      expect(keysOf([['fields', null], ['t_first', 1n], ['qid', 0n]])).to.deep.equal(['fields', 't_first', 'qid'])
      expect(keysOf([['fieldz', null], ['t_firsu', 1n], ['qie', 0n]])).to.deep.equal(['fieldz', 't_firsu', 'qie'])
    }
    // More distinct keys than are ever remembered at once still decode, each to itself.
    for (let i = 0; i < 5000; i++) expect(keysOf([[`key-${i}`, null]])).to.deep.equal([`key-${i}`])
  })

  it('keeps `__proto__` an own property and the prototype Object.prototype', () => {
    const fast = new v2.Unpacker() as Unpacker
    decodeMapsAsPlainObjects(fast)
    const decoded = decode(fast, bytesOf({ entries: [['__proto__', { entries: [['polluted', true]] }], ['toString', 'x'], ['n', 1n]] })) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).to.equal(Object.prototype)
    expect(Object.keys(decoded)).to.deep.equal(['__proto__', 'toString', 'n'])
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).to.deep.equal({ polluted: true })
    expect(decoded.toString).to.equal('x')
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined)
  })

  it('changes only the unpacker it is given', () => {
    const fast = new v2.Unpacker() as Unpacker
    decodeMapsAsPlainObjects(fast)
    expect(fast._unpackMapWithSize).to.not.equal(v2.Unpacker.prototype._unpackMapWithSize)
    expect(new v2.Unpacker()._unpackMapWithSize).to.equal(v1.Unpacker.prototype._unpackMapWithSize)
  })
})
