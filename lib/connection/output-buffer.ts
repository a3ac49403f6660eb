// bolt-connection's Chunker packs requests into a 1,400-byte buffer and, on
// every flush, hands that buffer's used part to the socket and allocates a
// new zero-filled one: an allocation outside the JavaScript heap per socket
// write, so per request sent. Here a flush copies the used bytes into a
// buffer cut from Node's shared pool (Buffer.allocUnsafe, cheap for sizes
// this small) and keeps packing into the same buffer. Every byte a flush
// sends was written since the previous flush (chunk headers included), so
// nothing of the earlier requests can leak into a later write.

import channelBuffers from 'neo4j-driver-bolt-connection/lib/channel/channel-buf.js'
import type { ChunkerLike } from 'neo4j-driver-bolt-connection/lib/connection/index.js'

/** From now on, the chunker's flushes reuse its buffer (see the module comment). */
export function flushWithoutReallocating (chunker: ChunkerLike): void {
  chunker.flush = function (this: ChunkerLike): ChunkerLike {
    const packed = this._buffer
    if (packed.position > 0) {
      this._closeChunkIfOpen()
      const bytes = Buffer.allocUnsafe(packed.position)
      packed._buffer.copy(bytes, 0, 0, packed.position)
      packed.position = 0
      this._chunkOpen = false
      this._ch.write(new channelBuffers.default(bytes))
    }
    return this
  }
}
