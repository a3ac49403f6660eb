// Bolt frames each message as chunks (a 2-byte size, then that many bytes)
// closed by an empty chunk. bolt-connection's Dechunker cuts every chunk out
// of the socket's bytes as a Buffer view wrapped in a ChannelBuffer, a few
// state-machine steps and two allocations per message: for a streamed result
// that is every record. Here a message that arrives whole, in one chunk,
// within one socket read (nearly all of them) is decoded where it lies,
// through one ChannelBuffer window per connection set to its bytes. Anything
// else (a message in several chunks, or one cut by the end of a read) goes to
// a Dechunker of bolt-connection's, step by step, until it is back between
// messages. A read may lie in a buffer that the next read overwrites
// (./socket-reads.ts): the Dechunker keeps views of what it is given, so it
// is given a copy of the rest of the read. Each message is handed on exactly
// as bolt-connection's own handler does: unpacked by the protocol, given to
// the response handler, and anything thrown breaks the connection.

import framing from 'neo4j-driver-bolt-connection/lib/channel/chunking.js'
import channelBuffers from 'neo4j-driver-bolt-connection/lib/channel/channel-buf.js'
import type { ChannelBufferLike, ChannelConnection } from 'neo4j-driver-bolt-connection/lib/connection/index.js'
import { acceptTransientReads } from './socket-reads.js'

/**
 * From now on, frame the connection's incoming bytes here. Installed right
 * after the handshake, before HELLO: the server has sent nothing since the
 * handshake's answer, so bolt-connection's Dechunker holds nothing yet.
 */
export function frameMessagesInPlace (connection: ChannelConnection): void {
  const protocol = connection.protocol()
  const deliver = (message: unknown): void => {
    try {
      protocol._responseHandler.handleResponse(protocol.unpack(message))
    } catch (error) {
      connection._handleFatalError(error as Parameters<ChannelConnection['_handleFatalError']>[0])
    }
  }
  const slow = new framing.Dechunker()
  slow.onmessage = deliver
  const window = messageWindow()
  connection._ch.onmessage = (bytes) => {
    let read = bytes as ChannelBufferLike
    let owned = false
    while (read.position < read.length) {
      if (betweenMessages(slow) && deliverWholeMessage(read, window, deliver)) continue
      if (!owned) {
        read = copyOfRest(read)
        owned = true
      }
      slow._state = slow._state(read)
    }
  }
  acceptTransientReads(connection._ch)
}

/** The read's unread bytes, in a buffer of their own. */
function copyOfRest (read: ChannelBufferLike): ChannelBufferLike {
  return new channelBuffers.default(Buffer.from(read._buffer.subarray(read.position, read.length))) as unknown as ChannelBufferLike
}

function betweenMessages (dechunker: InstanceType<typeof framing.Dechunker>): boolean {
  return dechunker._state === dechunker.AWAITING_CHUNK && dechunker._currentMessage.length === 0
}

/**
 * Deliver the message that starts at the read's position when it is whole
 * there in one chunk (or skip an empty keep-alive chunk); false, with nothing
 * read, otherwise.
 */
function deliverWholeMessage (read: ChannelBufferLike, window: ChannelBufferLike, deliver: (message: unknown) => void): boolean {
  const bytes = read._buffer
  const at = read.position
  if (read.length - at < 2) return false
  const size = ((bytes[at] as number) << 8) | (bytes[at + 1] as number)
  if (size === 0) {
    read.position = at + 2
    return true
  }
  const end = at + 2 + size
  if (end + 2 > read.length || bytes[end] !== 0 || bytes[end + 1] !== 0) return false
  read.position = end + 2
  window._buffer = bytes
  window.length = end
  window.position = at + 2
  deliver(window)
  return true
}

/**
 * A ChannelBuffer (bolt-connection's decoders check for one) whose bytes and
 * bounds are reset for each message. Unlike a view cut to the message, it
 * lies within a larger read, so a read past the message's end (a malformed
 * message) is refused here as a view would refuse it.
 */
function messageWindow (): ChannelBufferLike {
  const window = new channelBuffers.default(Buffer.alloc(0)) as unknown as ChannelBufferLike & { _updatePos: (length: number) => number }
  window._updatePos = function (this: ChannelBufferLike, length: number): number {
    const from = this.position
    if (from + length > this.length) throw new RangeError(`Bolt message read past its end (${from + length - this.length} byte(s) beyond it)`)
    this.position = from + length
    return from
  }
  return window
}
