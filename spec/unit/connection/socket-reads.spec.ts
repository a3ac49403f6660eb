// openChannel's plain TCP sockets read into one buffer shared by every
// connection: each read must reach the channel whole and in order, as a copy
// of its own until the consumer declares it keeps nothing (the handshake
// keeps bytes for later), then as a window over the shared buffer; the
// channel's own handling of a server close stays; TLS keeps Node's path.
import { expect } from 'chai'
import net from 'node:net'
import tls from 'node:tls'
import { createRequire } from 'node:module'
import { internal } from 'neo4j-driver-core'
import diagnosticsChannel from 'node:diagnostics_channel'
import { acceptTransientReads, openChannel } from '../../../lib/connection/socket-reads.js'
import { CHANNELS, type SocketReadEvent } from '../../../lib/events.js'

const require = createRequire(import.meta.url)
const { ChannelConfig } = require('neo4j-driver-bolt-connection/lib/channel/index.js')
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf.js').default

interface Delivered { bytes: Buffer, text: string }
interface TestChannel { onmessage?: (buffer: unknown) => void, onerror?: (error: Error) => void, write: (buffer: unknown) => void, close: () => Promise<void>, _conn: net.Socket }

const within = async <T>(ms: number, promise: Promise<T>): Promise<T> => await Promise.race([
  promise, new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))
])

/** A loopback server that answers every byte it receives with the next of `answers`. */
async function server (answers: string[]): Promise<{ port: number, sockets: net.Socket[], close: () => Promise<void> }> {
  const sockets: net.Socket[] = []
  const srv = net.createServer((socket) => {
    sockets.push(socket)
    let next = 0
    socket.on('data', (bytes) => { for (let i = 0; i < bytes.length && next < answers.length; i++) socket.write(answers[next++] as string) })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as net.AddressInfo).port
  return { port, sockets, close: async () => { for (const s of sockets) s.destroy(); await new Promise<void>((resolve) => srv.close(() => resolve())) } }
}

function channelTo (port: number, encrypted: boolean | string = false): { channel: TestChannel, received: Delivered[], next: () => Promise<Delivered> } {
  const address = internal.serverAddress.ServerAddress.fromUrl(`127.0.0.1:${port}`)
  const channel = openChannel(new ChannelConfig(address, { encrypted, connectionTimeout: 2000 }, 'ServiceUnavailable')) as unknown as TestChannel
  const received: Delivered[] = []
  const waiting: Array<(d: Delivered) => void> = []
  channel.onmessage = (buffer) => {
    const read = buffer as { _buffer: Buffer, position: number, length: number }
    const delivered = { bytes: read._buffer, text: read._buffer.toString('latin1', read.position, read.length) }
    received.push(delivered)
    waiting.shift()?.(delivered)
  }
  const next = async (): Promise<Delivered> => await within(2000, new Promise<Delivered>((resolve) => waiting.push(resolve)))
  return { channel, received, next }
}

const send = (channel: TestChannel, text: string): void => { channel.write(new ChannelBuffer(Buffer.from(text, 'latin1'))) }

describe('connection: socket reads into one shared buffer', () => {
  it('delivers each read whole and in order: a copy of its own until transient reads are accepted, then a window over the buffer every connection shares', async () => {
    const srv = await server(['first', 'second', 'third'])
    const a = channelTo(srv.port)
    const b = channelTo(srv.port)
    try {
      send(a.channel, 'x')
      const first = await a.next()
      expect(first.text).to.equal('first')
      acceptTransientReads(a.channel as never)
      acceptTransientReads(b.channel as never)
      send(a.channel, 'x')
      const second = await a.next()
      expect(second.text).to.equal('second')
      send(b.channel, 'x')
      const third = await b.next()
      expect(third.text).to.equal('first')
      // the copy survives later reads; the windows lie in one buffer, shared
      expect(first.bytes.toString('latin1')).to.equal('first')
      expect(second.bytes).to.equal(third.bytes)
      expect(second.bytes).to.not.equal(first.bytes)
      expect(second.bytes.length).to.equal(64 * 1024)
    } finally {
      await a.channel.close()
      await b.channel.close()
      await srv.close()
    }
  })

  it('a read as large as the shared buffer, and more, arrives in order across reads', async () => {
    const big = Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('')
    const srv = await server([big])
    const a = channelTo(srv.port)
    try {
      acceptTransientReads(a.channel as never)
      let text = ''
      a.channel.onmessage = (buffer) => { const read = buffer as { _buffer: Buffer, position: number, length: number }; text += read._buffer.toString('latin1', read.position, read.length) }
      send(a.channel, 'x')
      const deadline = Date.now() + 5000
      while (text.length < big.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(text).to.equal(big)
    } finally {
      await a.channel.close()
      await srv.close()
    }
  })

  it('tells the socket-read diagnostics channel of every read, before it is delivered', async () => {
    const srv = await server(['first', 'second'])
    const a = channelTo(srv.port)
    const told: Array<{ bytes: number, deliveredBefore: number }> = []
    const listener = (message: unknown): void => { told.push({ bytes: (message as SocketReadEvent).bytes, deliveredBefore: a.received.length }) }
    diagnosticsChannel.subscribe(CHANNELS.socketRead, listener)
    try {
      send(a.channel, 'x')
      await a.next()
      send(a.channel, 'x')
      await a.next()
      expect(told).to.deep.equal([{ bytes: 5, deliveredBefore: 0 }, { bytes: 6, deliveredBefore: 1 }])
    } finally {
      diagnosticsChannel.unsubscribe(CHANNELS.socketRead, listener)
      await a.channel.close()
      await srv.close()
    }
  })

  it('the server closing the connection reaches the channel as bolt-connection reports it', async () => {
    const srv = await server(['hello'])
    const a = channelTo(srv.port)
    try {
      const closed = within(2000, new Promise<Error>((resolve) => { a.channel.onerror = resolve }))
      send(a.channel, 'x')
      await a.next()
      srv.sockets[0]?.end()
      expect((await closed).message).to.equal('Connection was closed by server')
    } finally {
      await a.channel.close()
      await srv.close()
    }
  })

  it('an encrypted channel is bolt-connection\'s own, over TLS', async () => {
    const srv = await server([])
    const a = channelTo(srv.port, true)
    try {
      expect(a.channel._conn).to.be.instanceOf(tls.TLSSocket)
    } finally {
      a.channel.onerror = () => {}
      await a.channel.close()
      await srv.close()
    }
  })
})
