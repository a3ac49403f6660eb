// How a plain TCP connection's bytes reach bolt-connection's channel. Node's
// default read path allocates a buffer per socket read (64 KiB asked of the
// allocator, then trimmed) and passes it through a Readable stream: a 'data'
// event and a read-ahead scheduled per read. Here a plain TCP socket reads
// instead into one buffer shared by every such connection of the process
// (Node's `onread` option): reads are made and handled one at a time on the
// event loop, each handled in full before the next is made, so one buffer
// serves them all. A read's bytes are therefore transient: valid only while
// they are being delivered. Until the connection's message framing takes over
// (./message-framing.ts, which decodes what lies whole in a read and copies
// what it must keep), each read is delivered as a copy of its own, as the
// handshake keeps what follows its answer for later. TLS sockets keep Node's
// path (node:tls takes no `onread`).

import net from 'node:net'
import channelModule from 'neo4j-driver-bolt-connection/lib/channel/index.js'
import channelBuffers from 'neo4j-driver-bolt-connection/lib/channel/channel-buf.js'
import type { ChannelBufferLike, ChannelLike } from 'neo4j-driver-bolt-connection/lib/connection/index.js'
import { publish, socketReadsObserved } from '../events.js'

/** As large as Node's own per-read buffer: a read takes what the kernel holds, up to this. */
export const SHARED_READ_BUFFER_BYTES = 64 * 1024

let sharedReadBuffer: Buffer | undefined
/** Allocated on the first plain connection's first read; never freed (one per process). */
function readBuffer (): Buffer {
  sharedReadBuffer ??= Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES)
  return sharedReadBuffer
}

/** The channels whose consumer handles each read before returning and keeps no view of it. */
const transientReaders = new WeakSet<ChannelLike>()

/**
 * From now on the channel's onmessage may be given a read that lies in the
 * shared buffer (a ChannelBuffer window over it), valid only during the call.
 */
export function acceptTransientReads (channel: ChannelLike): void {
  transientReaders.add(channel)
}

/** Whether acceptTransientReads was called for the channel. */
export function takesTransientReads (channel: ChannelLike): boolean {
  return transientReaders.has(channel)
}

/** What bolt-connection's ChannelConfig holds that opening a socket needs. */
interface ChannelConfigLike {
  encrypted?: boolean | string | null
  address: { port: () => number, resolvedHost: () => string }
}

/** bolt-connection's own rule: encrypted only when set to true or 'ENCRYPTION_ON'. */
function isEncrypted (config: ChannelConfigLike): boolean {
  return config.encrypted === true || config.encrypted === 'ENCRYPTION_ON'
}

/**
 * A channel as bolt-connection would open it for `channelConfig` (its
 * ChannelConfig), whose plain TCP socket reads into the shared buffer.
 * Socket options, errors, the connect timeout and closing stay the channel's
 * own.
 */
export function openChannel (channelConfig: unknown): ChannelLike {
  const config = channelConfig as ChannelConfigLike
  if (isEncrypted(config)) return new channelModule.Channel(channelConfig)
  const window = new channelBuffers.default(Buffer.alloc(0)) as unknown as ChannelBufferLike
  // eslint-disable-next-line prefer-const -- the socket is made inside the channel's constructor, before the assignment
  let channel: ChannelLike
  const connect = (_config: unknown, onSuccess: () => void, onFailure: (error: Error) => void): net.Socket => {
    const socket = net.connect({
      port: config.address.port(),
      host: config.address.resolvedHost(),
      onread: {
        buffer: readBuffer,
        callback: (length: number, bytes: Uint8Array): boolean => {
          // These reads make no socket `data` events: tools that time round trips watch this channel instead.
          if (socketReadsObserved()) publish.socketRead({ bytes: length })
          deliverRead(channel, bytes as Buffer, length, window)
          return true
        }
      }
    }, onSuccess)
    socket.on('error', onFailure)
    // As bolt-connection configures its sockets.
    return socket.setNoDelay(true).setKeepAlive(true)
  }
  channel = new channelModule.Channel(channelConfig, connect)
  return channel
}

function deliverRead (channel: ChannelLike, bytes: Buffer, length: number, window: ChannelBufferLike): void {
  // As bolt-connection's 'data' listener: nothing before the connect succeeded, nothing once closed.
  const consume = channel.onmessage
  if (consume === undefined || !channel._open) return
  if (!transientReaders.has(channel)) {
    consume(new channelBuffers.default(Buffer.from(bytes.subarray(0, length))))
    return
  }
  window._buffer = bytes
  window.position = 0
  window.length = length
  consume(window)
}
