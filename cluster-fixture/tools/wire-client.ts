// A minimal Bolt 5 client for the fixture's own measurements (tools/): it
// encodes requests into one buffer and writes them when told to, so a caller
// chooses exactly what goes out in one socket write (pipelined) and what waits
// for an answer. Answers are matched to requests in order; records are
// counted, not kept. It uses the fixture's PackStream and chunking modules and
// does nothing a measurement does not need (no routing, no retries, no TLS).

import net from 'node:net'
import { Dechunker } from '../bolt/chunking.js'
import { PackStreamReader, PackStreamWriter, Structure, writePackValue, type PackMap, type PackValue } from '../bolt/packstream.js'

const MAGIC = [0x60, 0x60, 0xB0, 0x17]
/** Bolt 5.8 down to 5.0 in one range proposal. */
const PROPOSALS = [0x00, 0x08, 0x08, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
export const TAG = {
  HELLO: 0x01, GOODBYE: 0x02, RESET: 0x0F, RUN: 0x10, BEGIN: 0x11, COMMIT: 0x12, ROLLBACK: 0x13,
  PULL: 0x3F, ROUTE: 0x66, LOGON: 0x6A
} as const
const SUCCESS = 0x70
const RECORD = 0x71
const FAILURE = 0x7F
/** No answer for this long with requests outstanding: the connection is declared dead. */
const SILENCE_LIMIT_MS = 30_000

export class WireError extends Error {
  constructor (readonly code: string, message: string) {
    super(`${code}: ${message}`)
    this.name = 'WireError'
  }
}

interface Pending {
  resolve: (metadata: PackMap) => void
  reject: (error: WireError) => void
}

export class WireClient {
  /** Records received since the client was opened (all requests together). */
  records = 0
  private readonly writer = new PackStreamWriter(4096)
  private readonly dechunker = new Dechunker(16 * 1024 * 1024)
  private readonly pending: Pending[] = []
  private pendingHead = 0
  private handshake: { resolve: (reply: Buffer) => void, reject: (error: Error) => void } | null = null
  private closedWith: WireError | null = null

  private constructor (private readonly socket: net.Socket) {
    socket.setNoDelay(true)
    socket.setTimeout(SILENCE_LIMIT_MS)
    socket.on('timeout', () => { if (this.pending.length > this.pendingHead) socket.destroy(new Error('no answer in time')) })
    socket.on('data', (data: Buffer) => { this.receive(data) })
    socket.on('error', (error: Error) => { this.fail(new WireError('Wire.ConnectionError', error.message)) })
    socket.on('close', () => { this.fail(new WireError('Wire.ConnectionClosed', 'the connection closed')) })
  }

  /** Connects to `address` ('host:port'), negotiates Bolt 5.x and logs on; rejects within `timeoutMs`. */
  static async open (address: string, user: string, password: string, timeoutMs = 10_000): Promise<WireClient> {
    const colon = address.lastIndexOf(':')
    const socket = net.connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) })
    const client = new WireClient(socket)
    const timer = setTimeout(() => socket.destroy(new Error(`no Bolt session with ${address} within ${timeoutMs} ms`)), timeoutMs)
    try {
      const reply = new Promise<Buffer>((resolve, reject) => { client.handshake = { resolve, reject } })
      socket.write(Buffer.from([...MAGIC, ...PROPOSALS]))
      const version = await reply
      if (version[3] !== 5) throw new WireError('Wire.Handshake', `${address} offered no Bolt 5 version`)
      // bolt_agent is mandatory on Bolt 5.3+: a strict member refuses a HELLO without it.
      const hello = client.request(TAG.HELLO, [{ user_agent: 'cluster-fixture-tools/1.0', bolt_agent: { product: 'cluster-fixture-tools/1.0' } }])
      const logon = client.request(TAG.LOGON, [{ scheme: 'basic', principal: user, credentials: password }])
      client.flush()
      await Promise.all([hello, logon])
      return client
    } catch (error) {
      socket.destroy()
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** Encodes one request (not sent until `flush`); resolves with its SUCCESS metadata, rejects on FAILURE/IGNORED. */
  request (tag: number, fields: PackValue[]): Promise<PackMap> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith)
    const start = this.writer.beginMessage()
    writePackValue(this.writer, new Structure(tag, fields))
    this.writer.endMessage(start)
    return new Promise<PackMap>((resolve, reject) => { this.pending.push({ resolve, reject }) })
  }

  /** Writes every request encoded since the last flush in one socket write. */
  flush (): void {
    if (this.writer.length > 0 && !this.socket.destroyed) this.socket.write(this.writer.take())
  }

  close (): void {
    if (this.socket.destroyed) return
    const start = this.writer.beginMessage()
    writePackValue(this.writer, new Structure(TAG.GOODBYE, []))
    this.writer.endMessage(start)
    this.socket.end(this.writer.take())
    setTimeout(() => this.socket.destroy(), 500).unref()
  }

  private receive (data: Buffer): void {
    if (this.handshake !== null) {
      if (data.length < 4) { this.socket.destroy(new Error('short handshake reply')); return }
      this.handshake.resolve(data.subarray(0, 4))
      this.handshake = null
      data = data.subarray(4)
    }
    try {
      this.dechunker.feed(data, (message) => { this.dispatch(message) })
    } catch (error) {
      this.socket.destroy(error as Error)
    }
  }

  private dispatch (message: Buffer): void {
    const answer = new PackStreamReader(message).read()
    if (!(answer instanceof Structure)) throw new Error('an answer that is not a Structure')
    if (answer.tag === RECORD) { this.records++; return }
    const head = this.pending[this.pendingHead++]
    if (head === undefined) throw new Error('an answer with no request outstanding')
    if (this.pendingHead > 256) { this.pending.splice(0, this.pendingHead); this.pendingHead = 0 }
    const metadata = (answer.fields[0] ?? {}) as PackMap
    if (answer.tag === SUCCESS) head.resolve(metadata)
    else if (answer.tag === FAILURE) head.reject(new WireError(String(metadata.neo4j_code ?? metadata.code), String(metadata.message)))
    else head.reject(new WireError('Wire.Ignored', 'ignored after an earlier failure'))
  }

  private fail (error: WireError): void {
    if (this.closedWith !== null) return
    this.closedWith = error
    this.handshake?.reject(error)
    this.handshake = null
    for (const entry of this.pending.splice(this.pendingHead)) entry.reject(error)
    this.pending.length = 0
    this.pendingHead = 0
  }
}
