// Bolt message framing, incoming side: a message is one or more chunks
// `[u16 size][size bytes]` closed by `00 00`; a `00 00` with no message open is
// a NOOP keep-alive and is skipped. Chunk headers, chunks and messages may be
// split across reads in any way, and one read may carry several messages.
// (The outgoing side lives in PackStreamWriter.beginMessage/endMessage.)
//
// Memory is bounded: a message whose chunks add up to more than
// `maxMessageBytes` is a FramingError at the chunk header that crosses the
// limit, before its bytes are buffered. Pieces of a message are kept as views
// of the reads (no copy) while they are few; a message sent as many tiny
// chunks is copied into one growing buffer instead, so a hostile client cannot
// make us hold millions of small objects.

export class FramingError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'FramingError'
  }
}

const MAX_VIEWS = 32

export class Dechunker {
  /** -1: no partial header; otherwise the first byte of a header split across reads. */
  private headerHighByte = -1
  /** Bytes still expected in the current chunk. */
  private chunkRemaining = 0
  private parts: Buffer[] = []
  /** Used instead of `parts` once a message has more than MAX_VIEWS pieces. */
  private assembled: Buffer | null = null
  private messageLength = 0

  constructor (private readonly maxMessageBytes: number) {}

  /** Whether bytes of an unfinished message (or chunk header) are buffered. */
  get midMessage (): boolean {
    return this.messageLength > 0 || this.chunkRemaining > 0 || this.headerHighByte >= 0
  }

  /**
   * Feeds one read; calls `onMessage` with each complete message body in order.
   * The buffers passed on may be views of `data` (not copies): the caller must
   * not reuse `data`. Throws FramingError when a message exceeds the limit.
   */
  feed (data: Buffer, onMessage: (message: Buffer) => void): void {
    let pos = 0
    const end = data.length
    while (pos < end) {
      if (this.chunkRemaining > 0) {
        const take = Math.min(this.chunkRemaining, end - pos)
        this.append(data.subarray(pos, pos + take))
        this.chunkRemaining -= take
        pos += take
        continue
      }
      let size: number
      if (this.headerHighByte >= 0) {
        size = (this.headerHighByte << 8) | data[pos]
        this.headerHighByte = -1
        pos += 1
      } else if (end - pos >= 2) {
        size = (data[pos] << 8) | data[pos + 1]
        pos += 2
      } else {
        this.headerHighByte = data[pos]
        pos += 1
        continue
      }
      if (size === 0) {
        if (this.messageLength > 0) onMessage(this.completeMessage())
        // else: NOOP keep-alive between messages.
        continue
      }
      if (this.messageLength + size > this.maxMessageBytes) {
        throw new FramingError(`Message larger than the ${this.maxMessageBytes}-byte limit`)
      }
      this.chunkRemaining = size
    }
  }

  private append (piece: Buffer): void {
    if (this.assembled === null && this.parts.length < MAX_VIEWS) {
      this.parts.push(piece)
      this.messageLength += piece.length
      return
    }
    const needed = this.messageLength + piece.length
    if (this.assembled === null || this.assembled.length < needed) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxMessageBytes, Math.max(needed, 2 * (this.assembled?.length ?? this.messageLength), 4096)))
      if (this.assembled !== null) this.assembled.copy(grown, 0, 0, this.messageLength)
      else Buffer.concat(this.parts, this.messageLength).copy(grown)
      this.assembled = grown
      this.parts = []
    }
    piece.copy(this.assembled, this.messageLength)
    this.messageLength = needed
  }

  private completeMessage (): Buffer {
    let message: Buffer
    if (this.assembled !== null) message = this.assembled.subarray(0, this.messageLength)
    else message = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.messageLength)
    this.parts = []
    this.assembled = null
    this.messageLength = 0
    return message
  }
}
