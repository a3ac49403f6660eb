// Encodes a connection's answers (SUCCESS, RECORD, IGNORED, FAILURE) as
// chunked Bolt messages into one growing buffer, taken out per write.
// A value that cannot be encoded leaves nothing half-written behind.

import { FixtureError } from '../errors.js'
import type { CypherMap, CypherValue } from '../values.js'
import { failureMetadata } from './failure.js'
import { RESPONSE } from './messages.js'
import { PackStreamWriter } from './packstream.js'
import { type CodecOptions, writeCypherValue, writeMap } from './value-codec.js'
import type { BoltVersion } from './versions.js'

export class AnswerEncoder {
  private readonly writer = new PackStreamWriter()

  /** Bytes encoded and not yet taken. */
  get length (): number {
    return this.writer.length
  }

  /** The encoded bytes (a copy the caller may keep), leaving the encoder empty. */
  take (): Buffer {
    return this.writer.take()
  }

  success (metadata: CypherMap, codec: CodecOptions): void {
    this.encode('SUCCESS', () => {
      this.writer.writeStructureHeader(1, RESPONSE.SUCCESS)
      writeMap(this.writer, metadata, codec)
    })
  }

  record (values: readonly CypherValue[], codec: CodecOptions): void {
    this.encode('RECORD', () => {
      this.writer.writeStructureHeader(1, RESPONSE.RECORD)
      this.writer.writeListHeader(values.length)
      for (const value of values) writeCypherValue(this.writer, value, codec)
    })
  }

  ignored (): void {
    this.encode('IGNORED', () => this.writer.writeStructureHeader(0, RESPONSE.IGNORED))
  }

  failure (error: FixtureError, version: BoltVersion, codec: CodecOptions): void {
    this.encode('FAILURE', () => {
      this.writer.writeStructureHeader(1, RESPONSE.FAILURE)
      writeMap(this.writer, failureMetadata(error, version), codec)
    })
  }

  /** Encodes one whole message or, if a value cannot be encoded, nothing (and throws a FixtureError). */
  private encode (what: string, write: () => void): void {
    const start = this.writer.beginMessage()
    try {
      write()
    } catch (error) {
      this.writer.truncate(start)
      throw new FixtureError('GeneralUnknownError', `Cannot encode the ${what}: ${(error as Error).message}`)
    }
    this.writer.endMessage(start)
  }
}
