// One raw Bolt 5 connection with no driver in between: the floor the
// benchmarks compare the drivers with ("what the wire allows here").
//
// It does the least a correct client must: handshake, HELLO + LOGON, then
// requests written back to back (RUN + PULL go out in one socket write, so
// each query costs one round trip) and answers matched to requests in order.
// transaction() is the managed-transaction floor: BEGIN + RUN + PULL in one
// write, then COMMIT once the result is in (two round trips), which is what a
// driver must send for a managed transaction on default settings.
// Every message is fully decoded, as a driver's would be, using the
// fixture's PackStream and chunking modules (test tooling, not the library).
// No pool, no routing, no retries, no records kept unless asked for.

import net from 'node:net'
import { Dechunker } from '../../cluster-fixture/bolt/chunking.js'
import { PackStreamReader, PackStreamWriter, Structure, writePackValue, type PackMap, type PackValue } from '../../cluster-fixture/bolt/packstream.js'

const MAGIC = [0x60, 0x60, 0xB0, 0x17]
/** Bolt 5.8 down to 5.0 in one range proposal; the other three slots empty. */
const PROPOSALS = [0x00, 0x08, 0x08, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
const TAG = { HELLO: 0x01, RESET: 0x0F, RUN: 0x10, BEGIN: 0x11, COMMIT: 0x12, PULL: 0x3F, ROUTE: 0x66, LOGON: 0x6A, GOODBYE: 0x02 } as const
const REPLY = { SUCCESS: 0x70, RECORD: 0x71, IGNORED: 0x7E, FAILURE: 0x7F } as const
/** Answers can be large (a 100 000-row PULL is many messages, but one message is small); this only bounds a single message. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024
/** A connection with requests outstanding and no byte from the server for this long is dead. */
const SILENCE_LIMIT_MS = 60_000

export class RawBoltError extends Error {
  /** Server code (e.g. Neo.ClientError.Cluster.NotALeader) or a local one (RawBolt.ConnectionClosed, RawBolt.Ignored). */
  readonly code: string

  constructor (code: string, message: string) {
    super(`${code}: ${message}`)
    this.name = 'RawBoltError'
    this.code = code
  }

  /** The connection cannot carry more requests: open a new one. */
  get isConnectionLoss (): boolean {
    return this.code.startsWith('RawBolt.Connection')
  }
}

export interface Credentials { user: string, password: string }

interface Pending {
  onRecord?: (values: PackValue[]) => void
  resolve: (metadata: PackMap) => void
  reject: (error: RawBoltError) => void
}

export interface QueryOutcome {
  records: number
  /** Metadata of the final PULL SUCCESS (bookmark, db, type, …). */
  summary: PackMap
}

export class RawBoltConnection {
  /** The 'host:port' this connection was opened to. */
  readonly address: string
  private readonly writer = new PackStreamWriter(1024)
  private readonly dechunker = new Dechunker(MAX_MESSAGE_BYTES)
  private readonly pending: Pending[] = []
  private pendingHead = 0
  private versionReply: Buffer | null = null
  private handshakeBytes: Buffer[] = []
  private versionWaiter: { resolve: (reply: Buffer) => void, reject: (error: RawBoltError) => void } | null = null
  private closedWith: RawBoltError | null = null

  private constructor (private readonly socket: net.Socket, address: string) {
    this.address = address
    socket.setNoDelay(true)
    socket.setTimeout(SILENCE_LIMIT_MS)
    socket.on('data', (data: Buffer) => { this.receive(data) })
    socket.on('timeout', () => {
      if (this.outstanding > 0) socket.destroy(new Error(`no answer for ${SILENCE_LIMIT_MS} ms`))
    })
    socket.on('error', (error: Error) => { this.fail(new RawBoltError('RawBolt.ConnectionError', error.message)) })
    socket.on('close', () => { this.fail(new RawBoltError('RawBolt.ConnectionClosed', `connection to ${address} closed`)) })
  }

  /** Connects, negotiates Bolt 5.x and authenticates; rejects within `timeoutMs`. */
  static async open (address: string, credentials: Credentials, timeoutMs = 10_000): Promise<RawBoltConnection> {
    const { host, port } = splitAddress(address)
    const socket = net.connect({ host, port })
    const connection = new RawBoltConnection(socket, address)
    const timer = setTimeout(() => socket.destroy(new Error(`could not open a Bolt connection to ${address} within ${timeoutMs} ms`)), timeoutMs)
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('error', reject)
      })
      socket.write(Buffer.from([...MAGIC, ...PROPOSALS]))
      const reply = await connection.version()
      if (reply[3] !== 5) throw new RawBoltError('RawBolt.Handshake', `${address} offered no Bolt 5 version (reply ${reply.toString('hex')})`)
      const hello = connection.request(TAG.HELLO, [{ user_agent: 'neo4j-cluster-driver-bench-raw/1.0', bolt_agent: { product: 'neo4j-cluster-driver-bench-raw/1.0' } }])
      const logon = connection.request(TAG.LOGON, [{ scheme: 'basic', principal: credentials.user, credentials: credentials.password }])
      connection.flush()
      await Promise.all([hello, logon])
      return connection
    } catch (error) {
      socket.destroy()
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  get isOpen (): boolean {
    return this.closedWith === null && !this.socket.destroyed
  }

  /**
   * Auto-commit RUN + PULL written together (one round trip). Records are
   * decoded and passed to `onRecord` (if given), never kept. A FAILURE is
   * followed by RESET, so the connection stays usable, then thrown.
   */
  async run (query: string, parameters: PackMap, extra: PackMap, onRecord?: (values: PackValue[]) => void): Promise<QueryOutcome> {
    let records = 0
    const count = onRecord === undefined
      ? () => { records++ }
      : (values: PackValue[]) => { records++; onRecord(values) }
    const run = this.request(TAG.RUN, [query, parameters, extra])
    const pull = this.request(TAG.PULL, [{ n: -1n }], count)
    this.flush()
    const [ran, pulled] = await Promise.allSettled([run, pull])
    if (ran.status === 'rejected' || pulled.status === 'rejected') {
      const error = ran.status === 'rejected' ? ran.reason as RawBoltError : (pulled as PromiseRejectedResult).reason as RawBoltError
      if (this.isOpen) await this.reset()
      throw error
    }
    return { records, summary: pulled.value }
  }

  /**
   * A managed transaction's least traffic: BEGIN (with `extra`: mode, db) +
   * RUN + PULL written together, then COMMIT after the last record (a second
   * round trip: COMMIT is only valid once the result has ended). A FAILURE
   * is followed by RESET, then thrown; nothing is retried.
   */
  async transaction (query: string, parameters: PackMap, extra: PackMap, onRecord?: (values: PackValue[]) => void): Promise<QueryOutcome> {
    let records = 0
    const count = onRecord === undefined
      ? () => { records++ }
      : (values: PackValue[]) => { records++; onRecord(values) }
    const requests = [this.request(TAG.BEGIN, [extra]), this.request(TAG.RUN, [query, parameters, {}]), this.request(TAG.PULL, [{ n: -1n }], count)]
    this.flush()
    const settled = await Promise.allSettled(requests)
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed !== undefined) {
      if (this.isOpen) await this.reset()
      throw failed.reason as RawBoltError
    }
    const pulled = (settled[2] as PromiseFulfilledResult<PackMap>).value
    const commit = this.request(TAG.COMMIT, [])
    this.flush()
    try {
      return { records, summary: { ...pulled, ...await commit } }
    } catch (error) {
      if (this.isOpen) await this.reset()
      throw error
    }
  }

  /** ROUTE (Bolt 4.4+ form): the routing table of `database` (null: the home database). */
  async route (routingContext: PackMap, database: string | null): Promise<PackMap> {
    const answer = this.request(TAG.ROUTE, [routingContext, [], database === null ? {} : { db: database }])
    this.flush()
    try {
      return await answer
    } catch (error) {
      if (this.isOpen) await this.reset()
      throw error
    }
  }

  async reset (): Promise<void> {
    const answer = this.request(TAG.RESET, [])
    this.flush()
    await answer
  }

  /** GOODBYE and close; never throws. */
  close (): void {
    if (!this.socket.destroyed) {
      try {
        const start = this.writer.beginMessage()
        this.writer.writeStructureHeader(0, TAG.GOODBYE)
        this.writer.endMessage(start)
        this.socket.end(this.writer.take())
      } catch { /* closing anyway */ }
      setTimeout(() => this.socket.destroy(), 1000).unref()
    }
  }

  private get outstanding (): number {
    return this.pending.length - this.pendingHead
  }

  /** Encodes one request into the write buffer and registers who receives its answer. */
  private async request (tag: number, fields: PackValue[], onRecord?: (values: PackValue[]) => void): Promise<PackMap> {
    if (this.closedWith !== null) throw this.closedWith
    const start = this.writer.beginMessage()
    this.writer.writeStructureHeader(fields.length, tag)
    for (const field of fields) writePackValue(this.writer, field)
    this.writer.endMessage(start)
    return await new Promise<PackMap>((resolve, reject) => {
      this.pending.push({ onRecord, resolve, reject })
    })
  }

  /** Sends every request encoded since the last flush in one write (the pipelining). */
  private flush (): void {
    if (this.writer.length > 0 && !this.socket.destroyed) this.socket.write(this.writer.take())
  }

  private async version (): Promise<Buffer> {
    if (this.versionReply !== null) return this.versionReply
    if (this.closedWith !== null) throw this.closedWith
    return await new Promise<Buffer>((resolve, reject) => { this.versionWaiter = { resolve, reject } })
  }

  private receive (data: Buffer): void {
    if (this.versionReply === null) {
      this.handshakeBytes.push(data)
      const all = Buffer.concat(this.handshakeBytes)
      if (all.length < 4) return
      this.versionReply = all.subarray(0, 4)
      this.handshakeBytes = []
      this.versionWaiter?.resolve(this.versionReply)
      this.versionWaiter = null
      data = all.subarray(4)
      if (data.length === 0) return
    }
    try {
      this.dechunker.feed(data, (message) => { this.dispatch(message) })
    } catch (error) {
      this.socket.destroy(error as Error)
    }
  }

  private dispatch (message: Buffer): void {
    const value = new PackStreamReader(message).read()
    if (!(value instanceof Structure)) throw new Error('the server sent a message that is not a Structure')
    const head = this.pending[this.pendingHead]
    if (head === undefined) throw new Error(`unexpected message 0x${value.tag.toString(16)} with no request outstanding`)
    if (value.tag === REPLY.RECORD) {
      head.onRecord?.(value.fields[0] as PackValue[])
      return
    }
    this.pendingHead++
    this.compact()
    const metadata = (value.fields[0] ?? {}) as PackMap
    if (value.tag === REPLY.SUCCESS) head.resolve(metadata)
    else if (value.tag === REPLY.FAILURE) head.reject(new RawBoltError(String(metadata.neo4j_code ?? metadata.code ?? 'Unknown'), String(metadata.message ?? '')))
    else if (value.tag === REPLY.IGNORED) head.reject(new RawBoltError('RawBolt.Ignored', 'request ignored after an earlier failure'))
    else head.reject(new RawBoltError('RawBolt.Protocol', `unexpected answer tag 0x${value.tag.toString(16)}`))
  }

  /** Drops answered entries now and then, so the queue array does not grow forever on a long-lived connection. */
  private compact (): void {
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead)
      this.pendingHead = 0
    }
  }

  private fail (error: RawBoltError): void {
    if (this.closedWith !== null) return
    this.closedWith = error
    this.versionWaiter?.reject(error)
    this.versionWaiter = null
    const waiting = this.pending.splice(this.pendingHead)
    this.pending.length = 0
    this.pendingHead = 0
    for (const entry of waiting) entry.reject(error)
  }
}

export function splitAddress (address: string): { host: string, port: number } {
  const colon = address.lastIndexOf(':')
  const port = Number(address.slice(colon + 1))
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`not a host:port address: ${address}`)
  return { host: address.slice(0, colon), port }
}
