// PackStream v1 (neo4j/docs-bolt `packstream/index.adoc`): the binary value
// format inside every Bolt message.
//
// The reader faces arbitrary bytes from the network, so it is defensive by
// construction: it throws nothing but PackStreamError, nests at most
// `maxDepth` deep, and never allocates for a size the remaining input cannot
// hold (a list of n items needs at least n bytes, a map of n entries 2n).
// The writer encodes into one growing Buffer, always in the smallest width,
// and also frames messages into Bolt chunks in place (see beginMessage).

export class PackStreamError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'PackStreamError'
  }
}

/** A PackStream Structure: a tag byte and up to 15 fields. Bolt messages and graph/temporal values are structures. */
export class Structure {
  constructor (readonly tag: number, readonly fields: PackValue[]) {}
}

export type PackValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | PackValue[]
  | PackMap
  | Structure

export interface PackMap { [key: string]: PackValue }

export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n

const DEFAULT_MAX_DEPTH = 64

// BigInt() on every tiny integer shows up in profiles; these cover -16..127.
const TINY_INTS: bigint[] = []
for (let i = -16; i <= 127; i++) TINY_INTS.push(BigInt(i))

export class PackStreamReader {
  private pos: number

  constructor (
    private readonly buf: Buffer,
    private readonly maxDepth: number = DEFAULT_MAX_DEPTH,
    start = 0
  ) {
    this.pos = start
  }

  get remaining (): number {
    return this.buf.length - this.pos
  }

  get position (): number {
    return this.pos
  }

  read (): PackValue {
    return this.value(0)
  }

  private need (n: number, what: string): void {
    if (this.buf.length - this.pos < n) {
      throw new PackStreamError(`Truncated PackStream: ${what} needs ${n} byte(s), ${this.buf.length - this.pos} left`)
    }
  }

  private value (depth: number): PackValue {
    this.need(1, 'a marker')
    const marker = this.buf[this.pos++]
    if (marker < 0x80) return TINY_INTS[marker + 16]
    if (marker >= 0xF0) return TINY_INTS[marker - 0xF0]
    switch (marker & 0xF0) {
      case 0x80: return this.string(marker & 0x0F)
      case 0x90: return this.list(marker & 0x0F, depth)
      case 0xA0: return this.map(marker & 0x0F, depth)
      case 0xB0: return this.structure(marker & 0x0F, depth)
    }
    const buf = this.buf
    switch (marker) {
      case 0xC0: return null
      case 0xC1: this.need(8, 'a Float'); this.pos += 8; return buf.readDoubleBE(this.pos - 8)
      case 0xC2: return false
      case 0xC3: return true
      case 0xC8: this.need(1, 'an INT_8'); this.pos += 1; return BigInt(buf.readInt8(this.pos - 1))
      case 0xC9: this.need(2, 'an INT_16'); this.pos += 2; return BigInt(buf.readInt16BE(this.pos - 2))
      case 0xCA: this.need(4, 'an INT_32'); this.pos += 4; return BigInt(buf.readInt32BE(this.pos - 4))
      case 0xCB: this.need(8, 'an INT_64'); this.pos += 8; return buf.readBigInt64BE(this.pos - 8)
      case 0xCC: return this.bytes(this.size8())
      case 0xCD: return this.bytes(this.size16())
      case 0xCE: return this.bytes(this.size32())
      case 0xD0: return this.string(this.size8())
      case 0xD1: return this.string(this.size16())
      case 0xD2: return this.string(this.size32())
      case 0xD4: return this.list(this.size8(), depth)
      case 0xD5: return this.list(this.size16(), depth)
      case 0xD6: return this.list(this.size32(), depth)
      case 0xD8: return this.map(this.size8(), depth)
      case 0xD9: return this.map(this.size16(), depth)
      case 0xDA: return this.map(this.size32(), depth)
      default:
        throw new PackStreamError(`Reserved PackStream marker 0x${marker.toString(16).toUpperCase().padStart(2, '0')}`)
    }
  }

  private size8 (): number {
    this.need(1, 'a size')
    return this.buf[this.pos++]
  }

  private size16 (): number {
    this.need(2, 'a size')
    this.pos += 2
    return this.buf.readUInt16BE(this.pos - 2)
  }

  private size32 (): number {
    this.need(4, 'a size')
    this.pos += 4
    return this.buf.readUInt32BE(this.pos - 4)
  }

  private string (size: number): string {
    this.need(size, 'a String')
    const start = this.pos
    this.pos += size
    return this.buf.toString('utf8', start, this.pos)
  }

  private bytes (size: number): Uint8Array {
    this.need(size, 'a Bytes value')
    const start = this.pos
    this.pos += size
    // A copy: a view would keep the whole message buffer alive.
    return new Uint8Array(this.buf.subarray(start, this.pos))
  }

  private enter (depth: number): number {
    if (depth >= this.maxDepth) throw new PackStreamError(`PackStream nested deeper than ${this.maxDepth} levels`)
    return depth + 1
  }

  private list (size: number, depth: number): PackValue[] {
    const inner = this.enter(depth)
    this.need(size, `a List of ${size} items`)
    const items = new Array<PackValue>(size)
    for (let i = 0; i < size; i++) items[i] = this.value(inner)
    return items
  }

  private map (size: number, depth: number): PackMap {
    const inner = this.enter(depth)
    this.need(size * 2, `a Dictionary of ${size} entries`)
    const map: PackMap = {}
    for (let i = 0; i < size; i++) {
      const key = this.value(inner)
      if (typeof key !== 'string') throw new PackStreamError('Dictionary key is not a String')
      setOwn(map, key, this.value(inner))
    }
    return map
  }

  private structure (size: number, depth: number): Structure {
    const inner = this.enter(depth)
    this.need(1 + size, `a Structure of ${size} fields`)
    const tag = this.buf[this.pos++]
    const fields = new Array<PackValue>(size)
    for (let i = 0; i < size; i++) fields[i] = this.value(inner)
    return new Structure(tag, fields)
  }
}

/**
 * Sets a key as an own, enumerable property. Plain assignment of "__proto__"
 * would replace the object's prototype instead; a client must not be able to
 * do that with a dictionary key.
 */
export function setOwn<T> (target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    target[key] = value
  }
}

/** Decodes exactly one value that fills `bytes` completely. */
export function unpack (bytes: Buffer, maxDepth = DEFAULT_MAX_DEPTH): PackValue {
  const reader = new PackStreamReader(bytes, maxDepth)
  const value = reader.read()
  if (reader.remaining !== 0) throw new PackStreamError(`${reader.remaining} unexpected byte(s) after the value`)
  return value
}

const MAX_CHUNK = 0xFFFF

export class PackStreamWriter {
  private buf: Buffer
  private pos = 0

  constructor (initialSize = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  get length (): number {
    return this.pos
  }

  private ensure (extra: number): void {
    const needed = this.pos + extra
    if (needed <= this.buf.length) return
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2))
    this.buf.copy(grown, 0, 0, this.pos)
    this.buf = grown
  }

  /** The bytes written so far, copied (the caller may keep them), and an empty writer. */
  take (): Buffer {
    const out = Buffer.allocUnsafe(this.pos)
    this.buf.copy(out, 0, 0, this.pos)
    this.pos = 0
    return out
  }

  /** Forgets everything written after `position` (to undo a half-encoded message). */
  truncate (position: number): void {
    if (position < this.pos) this.pos = Math.max(0, position)
  }

  writeNull (): void {
    this.ensure(1)
    this.buf[this.pos++] = 0xC0
  }

  writeBoolean (value: boolean): void {
    this.ensure(1)
    this.buf[this.pos++] = value ? 0xC3 : 0xC2
  }

  writeFloat (value: number): void {
    this.ensure(9)
    this.buf[this.pos] = 0xC1
    this.buf.writeDoubleBE(value, this.pos + 1)
    this.pos += 9
  }

  /** An Integer from a safe JS integer (sizes, counters), without a BigInt. */
  writeSmallInteger (value: number): void {
    if (!Number.isSafeInteger(value)) throw new PackStreamError(`Not a safe integer: ${value}`)
    this.ensure(9)
    const buf = this.buf
    if (value >= -16 && value <= 127) {
      buf[this.pos++] = value & 0xFF
    } else if (value >= -128 && value <= 127) {
      buf[this.pos] = 0xC8; buf.writeInt8(value, this.pos + 1); this.pos += 2
    } else if (value >= -32768 && value <= 32767) {
      buf[this.pos] = 0xC9; buf.writeInt16BE(value, this.pos + 1); this.pos += 3
    } else if (value >= -2147483648 && value <= 2147483647) {
      buf[this.pos] = 0xCA; buf.writeInt32BE(value, this.pos + 1); this.pos += 5
    } else {
      buf[this.pos] = 0xCB; buf.writeBigInt64BE(BigInt(value), this.pos + 1); this.pos += 9
    }
  }

  writeInteger (value: bigint): void {
    if (value >= -2147483648n && value <= 2147483647n) {
      this.writeSmallInteger(Number(value))
      return
    }
    if (value < INT64_MIN || value > INT64_MAX) throw new PackStreamError(`Integer out of the 64-bit range: ${value}`)
    this.ensure(9)
    this.buf[this.pos] = 0xCB
    this.buf.writeBigInt64BE(value, this.pos + 1)
    this.pos += 9
  }

  writeString (value: string): void {
    const size = Buffer.byteLength(value, 'utf8')
    this.writeSizedHeader(size, 0x80, 0xD0, 0xD1, 0xD2)
    this.ensure(size)
    this.pos += this.buf.write(value, this.pos, size, 'utf8')
  }

  writeBytes (value: Uint8Array): void {
    const size = value.byteLength
    // Bytes have no tiny form.
    if (size <= 0xFF) {
      this.ensure(2); this.buf[this.pos] = 0xCC; this.buf[this.pos + 1] = size; this.pos += 2
    } else if (size <= 0xFFFF) {
      this.ensure(3); this.buf[this.pos] = 0xCD; this.buf.writeUInt16BE(size, this.pos + 1); this.pos += 3
    } else if (size <= 0xFFFFFFFF) {
      this.ensure(5); this.buf[this.pos] = 0xCE; this.buf.writeUInt32BE(size, this.pos + 1); this.pos += 5
    } else {
      throw new PackStreamError('Bytes value longer than 2^32 - 1')
    }
    this.ensure(size)
    this.buf.set(value, this.pos)
    this.pos += size
  }

  writeListHeader (size: number): void {
    this.writeSizedHeader(size, 0x90, 0xD4, 0xD5, 0xD6)
  }

  writeMapHeader (size: number): void {
    this.writeSizedHeader(size, 0xA0, 0xD8, 0xD9, 0xDA)
  }

  writeStructureHeader (fieldCount: number, tag: number): void {
    if (fieldCount < 0 || fieldCount > 15) throw new PackStreamError(`A Structure has 0..15 fields, not ${fieldCount}`)
    this.ensure(2)
    this.buf[this.pos] = 0xB0 | fieldCount
    this.buf[this.pos + 1] = tag
    this.pos += 2
  }

  private writeSizedHeader (size: number, tiny: number, m8: number, m16: number, m32: number): void {
    this.ensure(5)
    const buf = this.buf
    if (size < 16) {
      buf[this.pos++] = tiny | size
    } else if (size <= 0xFF) {
      buf[this.pos] = m8; buf[this.pos + 1] = size; this.pos += 2
    } else if (size <= 0xFFFF) {
      buf[this.pos] = m16; buf.writeUInt16BE(size, this.pos + 1); this.pos += 3
    } else if (size <= 0xFFFFFFFF) {
      buf[this.pos] = m32; buf.writeUInt32BE(size, this.pos + 1); this.pos += 5
    } else {
      throw new PackStreamError(`Size ${size} does not fit PackStream's 32-bit sizes`)
    }
  }

  /**
   * Starts a chunked Bolt message: reserves the first chunk header. Returns the
   * position to pass to endMessage (or to truncate, to abandon the message).
   */
  beginMessage (): number {
    this.ensure(2)
    const start = this.pos
    this.pos += 2
    return start
  }

  /** Frames the message begun at `start` as chunks of at most 65 535 bytes plus the `00 00` end marker. */
  endMessage (start: number): void {
    const bodyLength = this.pos - start - 2
    if (bodyLength <= MAX_CHUNK) {
      this.buf.writeUInt16BE(bodyLength, start)
      this.ensure(2)
      this.buf[this.pos++] = 0
      this.buf[this.pos++] = 0
      return
    }
    // Rare (a message over 64 KiB): re-lay the body with a header before each chunk.
    const body = Buffer.from(this.buf.subarray(start + 2, this.pos))
    const chunkCount = Math.ceil(bodyLength / MAX_CHUNK)
    this.pos = start
    this.ensure(bodyLength + chunkCount * 2 + 2)
    for (let offset = 0; offset < bodyLength; offset += MAX_CHUNK) {
      const size = Math.min(MAX_CHUNK, bodyLength - offset)
      this.buf.writeUInt16BE(size, this.pos)
      body.copy(this.buf, this.pos + 2, offset, offset + size)
      this.pos += 2 + size
    }
    this.buf[this.pos++] = 0
    this.buf[this.pos++] = 0
  }
}

/** Writes any PackValue (numbers as Float, bigints as Integer). Used for requests in tests and for plain metadata. */
export function writePackValue (writer: PackStreamWriter, value: PackValue, depth = 0): void {
  if (depth > DEFAULT_MAX_DEPTH) throw new PackStreamError(`Value nested deeper than ${DEFAULT_MAX_DEPTH} levels`)
  if (value === null) return writer.writeNull()
  switch (typeof value) {
    case 'boolean': return writer.writeBoolean(value)
    case 'bigint': return writer.writeInteger(value)
    case 'number': return writer.writeFloat(value)
    case 'string': return writer.writeString(value)
  }
  if (value instanceof Uint8Array) return writer.writeBytes(value)
  if (Array.isArray(value)) {
    writer.writeListHeader(value.length)
    for (const item of value) writePackValue(writer, item, depth + 1)
    return
  }
  if (value instanceof Structure) {
    writer.writeStructureHeader(value.fields.length, value.tag)
    for (const field of value.fields) writePackValue(writer, field, depth + 1)
    return
  }
  const keys = Object.keys(value)
  writer.writeMapHeader(keys.length)
  for (const key of keys) {
    writer.writeString(key)
    writePackValue(writer, value[key], depth + 1)
  }
}

/** Encodes one value into fresh bytes. */
export function pack (value: PackValue): Buffer {
  const writer = new PackStreamWriter(256)
  writePackValue(writer, value)
  return writer.take()
}
