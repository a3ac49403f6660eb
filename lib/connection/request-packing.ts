// bolt-connection packs a request value by value: each value is first offered
// to every type transformer of the protocol (node, relationship, path, point,
// the temporal types, vector...: a check each), then wrapped in a closure
// that writes it byte by byte into the Chunker (a bounds and chunk check per
// byte), every string first encoded into a Buffer of its own. The requests a
// driver sends all the time (BEGIN, RUN and its parameters, PULL, COMMIT) hold
// only plain values: null, booleans, numbers, strings, core Integers, arrays
// and plain objects. Such a request is packed here straight into the
// Chunker's buffer, with the very bytes bolt-connection would write. A request
// holding anything else (a class instance: temporal, spatial, byte array,
// UUID, vector...; a bigint; an object key starting with `__`, where core
// marks its types; an iterable object), or one that does not fit in the
// buffer's room (bolt-connection would send part of it first), is packed by
// bolt-connection as before.

import { Integer } from 'neo4j-driver-core'
import type { BoltProtocolLike, ChunkerLike } from 'neo4j-driver-bolt-connection/lib/connection/index.js'

/** A request as bolt-connection's RequestMessage holds it. */
interface RequestLike {
  signature: number
  fields: unknown[]
  toString: (unredacted?: boolean) => string
}

/** The names core's type checks look for (Integer.isInteger, isPoint, isDate, isEnc, ...): a value carrying one is not plain. */
export const TYPE_MARKS: readonly string[] = [
  '__isInteger__', '__isEncryptedValue__', '__isNode__', '__isRelationship__', '__isUnboundRelationship__',
  '__isPath__', '__isPathSegment__', '__isPoint__', '__isDuration__', '__isLocalTime__', '__isTime__', '__isDate__',
  '__isLocalDateTime__', '__isDateTime__', '__isUnsupportedType__', '__isUUID__', '__isVector__', '__isBrokenObject__'
]

const CHUNK_HEADER_BYTES = 2
/** Nesting deeper than this is left to bolt-connection (which recurses as deep as it is given). */
const MAX_DEPTH = 64

/**
 * From now on the protocol packs plain requests itself (see the module
 * comment). Its `write` keeps bolt-connection's order: the request's bytes,
 * then its observer queued (unless the connection broke), the message's end,
 * and the flush when asked.
 */
export function packPlainRequestsDirectly (protocol: BoltProtocolLike): void {
  const packer = new PlainRequestPacker()
  const packByValue = protocol.write
  protocol.write = function (this: BoltProtocolLike, message: unknown, observer: unknown, flush: boolean): void {
    const request = message as RequestLike
    const chunker = this._chunker
    if (!packer.packInto(chunker, request)) {
      packByValue.call(this, message, observer, flush)
      return
    }
    this._lastMessageSignature = request.signature
    if (this.queueObserverIfProtocolIsNotBroken(observer)) {
      if (this._log.isDebugEnabled()) this._log.debug(`C: ${request.toString(this._log.unredactDebugLogs)}`)
      chunker.messageBoundary()
      if (flush) chunker.flush()
    }
  }
}

/** Packs one request at a time into a chunker's buffer; all or nothing. */
export class PlainRequestPacker {
  private bytes: Buffer = Buffer.alloc(0)
  private at = 0
  private end = 0

  /**
   * Pack the request into the chunker's open chunk (opening one) when it is
   * plain and fits the buffer's room; otherwise leave the chunker untouched
   * and return false.
   */
  packInto (chunker: ChunkerLike, request: RequestLike): boolean {
    const buffer = chunker._buffer
    const start = buffer.position
    this.bytes = buffer._buffer
    this.at = chunker._chunkOpen ? start : start + CHUNK_HEADER_BYTES
    this.end = buffer.length
    const fields = request.fields
    if (!Array.isArray(fields) || fields.length >= 0x10 || this.at + 2 > this.end) return false
    this.bytes[this.at++] = 0xb0 | fields.length
    this.bytes[this.at++] = request.signature
    for (let i = 0; i < fields.length; i++) {
      if (!this.value(fields[i], 0)) return false
    }
    if (!chunker._chunkOpen) {
      chunker._currentChunkStart = start
      chunker._chunkOpen = true
    }
    buffer.position = this.at
    return true
  }

  private value (x: unknown, depth: number): boolean {
    if (x === null) return this.byte(0xc0)
    if (x === true) return this.byte(0xc3)
    if (x === false) return this.byte(0xc2)
    switch (typeof x) {
      case 'number': return this.float(x)
      case 'string': return this.string(x)
      case 'object': break
      default: return false
    }
    if (depth >= MAX_DEPTH) return false
    if (x instanceof Integer) return this.integer(x)
    const object = x as Record<string, unknown>
    const prototype = Object.getPrototypeOf(object)
    if (prototype === Array.prototype) return this.list(object as unknown as unknown[], depth)
    if (prototype === Object.prototype || prototype === null) return this.map(object, depth)
    return false
  }

  private byte (marker: number): boolean {
    if (this.at + 1 > this.end) return false
    this.bytes[this.at++] = marker
    return true
  }

  private float (x: number): boolean {
    if (this.at + 9 > this.end) return false
    this.bytes[this.at] = 0xc1
    this.bytes.writeDoubleBE(x, this.at + 1)
    this.at += 9
    return true
  }

  /** bolt-connection's packInteger: the smallest of tiny, INT_8, INT_16, INT_32 and INT_64 that holds it. */
  private integer (x: Integer): boolean {
    const { high, low } = x
    const fits32 = (high === 0 && low >= 0) || (high === -1 && low < 0)
    const bytes = this.bytes
    const at = this.at
    if (!fits32) {
      if (at + 9 > this.end) return false
      bytes[at] = 0xcb
      bytes.writeInt32BE(high | 0, at + 1)
      bytes.writeInt32BE(low | 0, at + 5)
      this.at = at + 9
    } else if (low >= -0x10 && low < 0x80) {
      if (at + 1 > this.end) return false
      bytes[at] = low & 0xff
      this.at = at + 1
    } else if (low >= -0x80 && low < -0x10) {
      if (at + 2 > this.end) return false
      bytes[at] = 0xc8
      bytes[at + 1] = low & 0xff
      this.at = at + 2
    } else if (low >= -0x8000 && low < 0x8000) {
      if (at + 3 > this.end) return false
      bytes[at] = 0xc9
      bytes.writeInt16BE(low, at + 1)
      this.at = at + 3
    } else {
      if (at + 5 > this.end) return false
      bytes[at] = 0xca
      bytes.writeInt32BE(low, at + 1)
      this.at = at + 5
    }
    return true
  }

  private string (s: string): boolean {
    const length = s.length
    // Short ASCII (most keys, names and queries): its length is its size in UTF-8.
    if (length < 0x100) {
      const from = this.at + (length < 0x10 ? 1 : 2)
      if (from + length > this.end) return false
      const bytes = this.bytes
      let ascii = true
      for (let i = 0; i < length; i++) {
        const code = s.charCodeAt(i)
        if (code >= 0x80) { ascii = false; break }
        bytes[from + i] = code
      }
      if (ascii) {
        this.stringHeader(length)
        this.at = from + length
        return true
      }
    }
    const size = Buffer.byteLength(s, 'utf8')
    const from = this.at + (size < 0x10 ? 1 : size < 0x100 ? 2 : size < 0x10000 ? 3 : 5)
    if (from + size > this.end) return false
    this.stringHeader(size)
    this.at = from + this.bytes.write(s, from, size, 'utf8')
    return this.at === from + size
  }

  private stringHeader (size: number): void {
    this.sizeHeader(size, 0x80, 0xd0)
  }

  /** A tiny marker (high nibble | size) below 16, else the 8-, 16- or 32-bit marker (marker8 + 0, 1, 2) and the size. */
  private sizeHeader (size: number, tiny: number, marker8: number): void {
    const bytes = this.bytes
    if (size < 0x10) {
      bytes[this.at++] = tiny | size
    } else if (size < 0x100) {
      bytes[this.at++] = marker8
      bytes[this.at++] = size
    } else if (size < 0x10000) {
      bytes[this.at++] = marker8 + 1
      bytes[this.at++] = size >> 8
      bytes[this.at++] = size & 0xff
    } else {
      bytes[this.at++] = marker8 + 2
      bytes.writeUInt32BE(size, this.at)
      this.at += 4
    }
  }

  private headerRoom (size: number): number {
    return size < 0x10 ? 1 : size < 0x100 ? 2 : size < 0x10000 ? 3 : 5
  }

  private list (list: unknown[], depth: number): boolean {
    if (carriesTypeMark(list)) return false
    const size = list.length
    if (this.at + this.headerRoom(size) > this.end) return false
    this.sizeHeader(size, 0x90, 0xd4)
    for (let i = 0; i < size; i++) {
      const item = list[i]
      if (!this.value(item === undefined ? null : item, depth + 1)) return false
    }
    return true
  }

  /** As bolt-connection: the own enumerable string keys in order, those holding undefined left out. */
  private map (object: Record<string, unknown>, depth: number): boolean {
    if (Symbol.iterator in object) return false
    const keys = Object.keys(object)
    let count = 0
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      if (key.charCodeAt(0) === 0x5f && key.charCodeAt(1) === 0x5f) return false
      if (object[key] !== undefined) count++
    }
    if (this.at + this.headerRoom(count) > this.end) return false
    this.sizeHeader(count, 0xa0, 0xd8)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      const item = object[key]
      if (item !== undefined && !(this.string(key) && this.value(item, depth + 1))) return false
    }
    return true
  }
}

function carriesTypeMark (value: object): boolean {
  const marked = value as Record<string, unknown>
  for (let i = 0; i < TYPE_MARKS.length; i++) {
    if (marked[TYPE_MARKS[i] as string] === true) return true
  }
  return false
}
