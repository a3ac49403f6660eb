// PackStream maps as plain fast objects. bolt-connection's unpacker builds
// every map (each SUCCESS's metadata, every map and node/relationship
// property set in a record) with one Object.defineProperty per key, which
// guards against a key named `__proto__` but also turns the object into a
// slow, dictionary-mode one: about twice the decoding time of a plain
// assignment, on every answer, and slower reads of the metadata after. Here
// keys are assigned, and only a key that an assignment would not make an own
// data property of a fresh object (`__proto__`, or any name Object.prototype
// has, which a frozen Object.prototype would refuse) takes defineProperty.
// The objects are the same: own, enumerable, writable, configurable
// properties in the order received.
//
// Keys repeat: every SUCCESS names the same few, every node and relationship
// of a label the same properties. bolt-connection decodes each one through
// Buffer#toString, a call into C++ that makes a fresh string, which the
// assignment then has to look up among V8's internalized names. A short
// ASCII key is found here by its bytes among the keys decoded before, and is
// that internalized string already. Other keys (non-ASCII, longer, or split
// across two chunks of the message) take bolt-connection's own decoding.

import type { ChannelBufferLike, PackStreamUnpacker } from 'neo4j-driver-bolt-connection/lib/connection/index.js'

const OBJECT_PROTOTYPE: object = Object.prototype

/** Give this unpacker (one connection's) the fast map decoding; others are left as they are. */
export function decodeMapsAsPlainObjects (unpacker: PackStreamUnpacker): void {
  unpacker._unpackMapWithSize = unpackMapWithSize
}

function unpackMapWithSize (this: PackStreamUnpacker, size: number, buffer: unknown, hydrateStructure: unknown): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  for (let i = 0; i < size; i++) {
    const key = unpackKey(this, buffer, hydrateStructure) as string
    setOwn(value, key, this.unpack(buffer, hydrateStructure))
  }
  return value
}

const TINY_STRING = 0x80
const STRING_8 = 0xd0
/** Longer keys are rare and vary (the remembered ones are kept for the process's life, up to the bound below). */
const REMEMBERED_KEY_MAX_BYTES = 32
/** A bound on memory whatever the data: past it the remembered keys are forgotten and learnt again. */
const REMEMBERED_KEYS_MAX = 4096
/** Remembered keys by a hash of their bytes (a collision just replaces: every hit is compared byte by byte). */
const rememberedKeys = new Map<number, string>()

/** The next value, a map's key: a remembered one when it is a short ASCII string whole in this buffer. */
function unpackKey (unpacker: PackStreamUnpacker, buffer: unknown, hydrateStructure: unknown): unknown {
  const bytes = (buffer as Partial<ChannelBufferLike>)._buffer
  if (bytes === undefined) return unpacker.unpack(buffer, hydrateStructure) // a message split across chunks
  const channel = buffer as ChannelBufferLike
  const at = channel.position
  const marker = bytes[at] as number
  let start = at + 1
  let size: number
  if ((marker & 0xf0) === TINY_STRING) {
    size = marker & 0x0f
  } else if (marker === STRING_8) {
    size = bytes[start] as number
    start++
  } else {
    return unpacker.unpack(buffer, hydrateStructure)
  }
  const end = start + size
  if (!(size <= REMEMBERED_KEY_MAX_BYTES && end <= channel.length)) return unpacker.unpack(buffer, hydrateStructure)
  const key = rememberedAsciiKey(bytes, start, end)
  if (key === undefined) return unpacker.unpack(buffer, hydrateStructure)
  channel.position = end
  return key
}

/** The string of ASCII bytes[start, end), remembered; undefined when a byte is not ASCII. */
function rememberedAsciiKey (bytes: Buffer, start: number, end: number): string | undefined {
  let hash = end - start
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number
    if (byte > 0x7f) return undefined
    hash = Math.imul(hash ^ byte, 0x01000193)
  }
  const known = rememberedKeys.get(hash)
  if (known !== undefined && sameAscii(known, bytes, start, end)) return known
  // ASCII reads the same as Latin-1; a property name made of it is V8's internalized copy.
  const key = Object.keys({ [bytes.toString('latin1', start, end)]: 0 })[0] as string
  if (rememberedKeys.size >= REMEMBERED_KEYS_MAX) rememberedKeys.clear()
  rememberedKeys.set(hash, key)
  return key
}

/** Names already given as internalized strings (see rememberedName), by themselves. */
const rememberedNames = new Map<string, string>()

/**
 * The internalized string equal to `name`, remembered (short names only).
 * A string just decoded is a fresh one: using it as a property name (a
 * record's field name as the key of its lookup table, say) makes V8 look it
 * up among its internalized strings, microseconds each time; finding it here
 * costs a hash and a comparison.
 */
export function rememberedName (name: string): string {
  if (name.length > REMEMBERED_KEY_MAX_BYTES) return name
  const known = rememberedNames.get(name)
  if (known !== undefined) return known
  const internalized = Object.keys({ [name]: 0 })[0] as string
  if (rememberedNames.size >= REMEMBERED_KEYS_MAX) rememberedNames.clear()
  rememberedNames.set(internalized, internalized)
  return internalized
}

function sameAscii (text: string, bytes: Buffer, start: number, end: number): boolean {
  if (text.length !== end - start) return false
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false
  return true
}

/** `target[key] = value` as an own data property, whatever the key (`__proto__` included). */
export function setOwn (target: Record<string, unknown>, key: string, value: unknown): void {
  if (typeof key === 'string' && !(key in OBJECT_PROTOTYPE)) {
    target[key] = value
  } else {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  }
}
