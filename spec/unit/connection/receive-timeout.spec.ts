// keepReceiveTimerSet: the socket's timeout is set once, and a connection is
// declared lost only when it stays silent for the receive timeout while
// requests are outstanding, with bolt-connection's error; silence while idle
// does nothing, a request after a long idle time still gets the whole time,
// and the server's bytes keep a waiting connection alive.
import { expect } from 'chai'
import net from 'node:net'
import { createRequire } from 'node:module'
import { internal } from 'neo4j-driver-core'
import { openChannel } from '../../../lib/connection/socket-reads.js'
import { keepReceiveTimerSet } from '../../../lib/connection/receive-timeout.js'

const require = createRequire(import.meta.url)
const { ChannelConfig } = require('neo4j-driver-bolt-connection/lib/channel/index.js')
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf.js').default

interface TestChannel {
  onmessage?: (buffer: unknown) => void
  onerror?: (error: Error) => void
  write: (buffer: unknown) => void
  close: () => Promise<void>
  setupReceiveTimeout: (ms: number) => void
  startReceiveTimeout: () => void
  stopReceiveTimeout: () => void
  _receiveTimeout?: number | null
  _conn: net.Socket
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

/** A loopback server that sends `tick` every `everyMs` once asked (a byte 't'), and otherwise stays silent. */
async function server (everyMs: number): Promise<{ port: number, close: () => Promise<void> }> {
  const sockets: net.Socket[] = []
  const timers: NodeJS.Timeout[] = []
  const srv = net.createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    socket.on('data', (bytes) => { if (bytes.includes(0x74)) timers.push(setInterval(() => socket.write('x'), everyMs)) })
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: async () => { for (const t of timers) clearInterval(t); for (const s of sockets) s.destroy(); await new Promise<void>((resolve) => srv.close(() => resolve())) }
  }
}

async function channelTo (port: number, kept = true): Promise<{ channel: TestChannel, errors: Error[], setTimeoutCalls: () => number }> {
  const address = internal.serverAddress.ServerAddress.fromUrl(`127.0.0.1:${port}`)
  const channel = openChannel(new ChannelConfig(address, { encrypted: false, connectionTimeout: 2000 }, 'ServiceUnavailable')) as unknown as TestChannel
  const errors: Error[] = []
  channel.onerror = (error) => errors.push(error)
  channel.onmessage = () => {}
  await new Promise((resolve) => channel._conn.once('connect', resolve))
  if (kept) keepReceiveTimerSet(channel as never)
  let calls = 0
  const setTimeout = channel._conn.setTimeout.bind(channel._conn)
  channel._conn.setTimeout = ((ms: number) => { calls++; return setTimeout(ms) }) as typeof channel._conn.setTimeout
  return { channel, errors, setTimeoutCalls: () => calls }
}

const send = (channel: TestChannel, text: string): void => { channel.write(new ChannelBuffer(Buffer.from(text, 'latin1'))) }

describe('connection: the receive timeout kept set', function () {
  this.timeout(10_000)

  /** The errors bolt-connection's own channel reports when a request waits in silence. */
  async function theirs (port: number): Promise<string[]> {
    const { channel, errors } = await channelTo(port, false)
    try {
      channel.setupReceiveTimeout(150)
      channel.startReceiveTimeout()
      send(channel, 'q')
      const started = Date.now()
      while (errors.length === 0 && Date.now() - started < 3000) await sleep(10)
      return errors.map(e => e.message)
    } finally {
      await channel.close()
    }
  }

  it('silence while requests are outstanding breaks the connection with bolt-connection\'s error; the socket timeout is set once', async () => {
    const srv = await server(1000)
    const expected = await theirs(srv.port)
    expect(expected).to.have.length(1)
    expect(expected[0]).to.include("Connection lost. Server didn't respond in 150ms")
    const { channel, errors, setTimeoutCalls } = await channelTo(srv.port)
    try {
      channel.setupReceiveTimeout(150)
      expect(channel._receiveTimeout).to.equal(150)
      for (let i = 0; i < 5; i++) { channel.startReceiveTimeout(); channel.stopReceiveTimeout() }
      channel.startReceiveTimeout()
      send(channel, 'q')
      const started = Date.now()
      while (errors.length === 0 && Date.now() - started < 3000) await sleep(10)
      expect(errors.map(e => e.message)).to.deep.equal(expected)
      expect((errors[0] as Error & { code?: string }).code).to.equal('ServiceUnavailable')
      expect(Date.now() - started).to.be.at.least(100)
      expect(setTimeoutCalls()).to.equal(1)
    } finally {
      await channel.close()
      await srv.close()
    }
  })

  /** A kept channel to a fresh server ticking every `everyMs` once asked, both closed after `run`. */
  async function withChannel (everyMs: number, run: (channel: TestChannel, errors: Error[]) => Promise<void>): Promise<void> {
    const srv = await server(everyMs)
    const { channel, errors } = await channelTo(srv.port)
    try {
      await run(channel, errors)
    } finally {
      await channel.close()
      await srv.close()
    }
  }

  it('silence while idle does nothing, and a request after it still gets the whole time', async () => {
    await withChannel(1000, async (channel, errors) => {
      channel.setupReceiveTimeout(150)
      await sleep(400)
      expect(errors).to.deep.equal([])
      channel.startReceiveTimeout()
      send(channel, 'q')
      await sleep(80)
      expect(errors).to.deep.equal([])
      channel.stopReceiveTimeout()
      await sleep(300)
      expect(errors).to.deep.equal([])
      expect(channel._conn.destroyed).to.equal(false)
    })
  })

  it('the server\'s bytes keep a waiting connection alive (each read restarts the time)', async () => {
    await withChannel(40, async (channel, errors) => {
      channel.setupReceiveTimeout(150)
      channel.startReceiveTimeout()
      send(channel, 't')
      await sleep(600)
      expect(errors).to.deep.equal([])
      expect(channel._conn.destroyed).to.equal(false)
    })
  })
})
