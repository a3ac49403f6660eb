// One client connection: bytes in (handshake, chunks, PackStream), a queue of
// requests fed one at a time to the BoltSession, and answers out (encoded into
// one growing buffer, written once per batch).
//
// Robustness rules: nothing a client sends can throw out of here. Wrong magic
// closes; no common version gets `00 00 00 00` and a close; a message over the
// size limit, undecodable PackStream or a non-structure message gets FAILURE
// Request.Invalid (after the answers to everything before it) and a close.
// Memory stays bounded: messages are size-limited, and reading pauses while
// the queue is long or the client does not read our answers.

import type { Socket } from 'node:net'
import createDebug from 'debug'
import { FixtureError, asFixtureError } from '../errors.js'
import type { CypherMap, CypherValue } from '../values.js'
import type { MemberBackend } from './backend.js'
import { Dechunker, FramingError } from './chunking.js'
import { failureMetadata } from './failure.js'
import {
  HANDSHAKE_LENGTH, NO_VERSION_REPLY, hasMagic, legacyReply, manifestReply, negotiate, parseManifestChoice, parseProposals
} from './handshake.js'
import { ABSURD_CHUNK_HEADER, GARBAGE_FRAME, type HostileMode, WRONG_VERSION_REPLY, truncatedAnswer } from './hostile.js'
import { RESPONSE, protocolViolation, statsName } from './messages.js'
import { PackStreamError, PackStreamWriter, Structure, unpack } from './packstream.js'
import { BoltSession, type ResponseSink } from './session.js'
import { writeCypherValue, writeMap } from './value-codec.js'
import type { BoltVersion } from './versions.js'

const debug = createDebug('neo4j-cluster:bolt')

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly backend: MemberBackend
  readonly settings: ConnectionSettings
  isBlackholed: () => boolean
  hostileMode: () => HostileMode | null
  consumeCommitDrop: () => boolean
  countMessage: (name: string) => void
  connectionClosed: (connection: BoltConnection) => void
}

export interface ConnectionSettings {
  /** Versions offered, highest first. */
  versions: readonly BoltVersion[]
  offerManifest: boolean
  maxMessageBytes: number
  handshakeTimeoutMs: number
  hints: { recvTimeoutSeconds?: number, telemetryEnabled?: boolean, ssrEnabled?: boolean }
}

type Phase = 'handshake' | 'manifest' | 'messages' | 'ignoring-input'

/** Requests queued beyond this pause reading from the socket until the queue drains to a quarter. */
const MAX_QUEUED_REQUESTS = 512
/** Answers buffered beyond this are written out before more are encoded. */
const FLUSH_THRESHOLD_BYTES = 64 * 1024
/** After we end a connection, how long the client gets to read the last answers before the socket is destroyed. */
const END_GRACE_MS = 2000

export class BoltConnection implements ResponseSink {
  /** Saw the black hole: destroyed when it is lifted. */
  blackholed = false
  /** Misbehaved under a hostile mode: destroyed when the mode is cleared. */
  tainted = false
  /** Resolves once the connection is closed and its open transaction rolled back. */
  readonly finished: Promise<void>

  private phase: Phase = 'handshake'
  private pendingBytes: Buffer = Buffer.alloc(0)
  private readonly dechunker: Dechunker
  private readonly writer = new PackStreamWriter()
  private session: BoltSession | null = null
  private version: BoltVersion = 0
  private offeredVersions: readonly BoltVersion[] = []
  private readonly queue: Array<Structure | FixtureError | undefined> = []
  private queueHead = 0
  private pumping = false
  private writeBlocked = false
  private readPaused = false
  /** No more requests are processed (a close was decided). */
  private ending = false
  /** Our side of the socket is ended or destroyed: nothing more can be written. */
  private outputClosed = false
  private closed = false
  /** 'absurd-size' promised bytes that never come: nothing may follow. */
  private stalled = false
  private cleanupStarted = false
  private flushScheduled = false
  private resolveFinished!: () => void
  private readonly timers: NodeJS.Timeout[] = []

  constructor (
    private readonly socket: Socket,
    readonly id: string,
    private readonly host: ConnectionHost
  ) {
    this.finished = new Promise(resolve => { this.resolveFinished = resolve })
    this.dechunker = new Dechunker(host.settings.maxMessageBytes)
    if (host.isBlackholed()) this.blackholed = true
    socket.setNoDelay(true)
    socket.on('data', (data: Buffer) => this.onData(data))
    socket.on('drain', () => this.onDrain())
    socket.on('error', (error: Error) => {
      debug('%s socket error: %s', this.id, error.message)
      socket.destroy()
    })
    socket.on('close', () => this.onClose())
    this.addTimer(() => {
      if (this.phase === 'handshake' || this.phase === 'manifest') {
        debug('%s handshake not completed in time', this.id)
        this.destroyNow()
      }
    }, host.settings.handshakeTimeoutMs)
  }

  get isClosed (): boolean {
    return this.closed
  }

  /** Destroys the socket now (server close, black hole lifted, hostile mode cleared). */
  destroyNow (): void {
    this.ending = true
    this.outputClosed = true
    this.socket.destroy()
  }

  // --- input -----------------------------------------------------------------

  private onData (data: Buffer): void {
    if (this.closed || this.ending) return
    if (this.host.isBlackholed()) {
      this.blackholed = true
      return
    }
    try {
      let rest: Buffer | null = data
      if (this.phase === 'handshake') rest = this.readHandshake(rest)
      if (rest !== null && rest.length > 0 && this.phase === 'manifest') rest = this.readManifestChoice(rest)
      if (rest !== null && rest.length > 0 && this.phase === 'messages') {
        this.dechunker.feed(rest, message => this.onMessage(message))
      }
    } catch (error) {
      const reason = error instanceof FramingError ? error.message : `Unreadable input: ${(error as Error).message}`
      this.rejectInput(reason)
    }
    this.pump()
  }

  /** Returns the bytes after the handshake, or null while it is incomplete or over. */
  private readHandshake (data: Buffer): Buffer | null {
    this.pendingBytes = this.pendingBytes.length === 0 ? data : Buffer.concat([this.pendingBytes, data])
    const bytes = this.pendingBytes
    if (!hasMagic(bytes.subarray(0, 4)) && !isMagicPrefix(bytes)) {
      debug('%s wrong magic', this.id)
      this.phase = 'ignoring-input'
      this.destroyNow()
      return null
    }
    if (bytes.length < HANDSHAKE_LENGTH) return null
    this.pendingBytes = Buffer.alloc(0)
    const rest = bytes.subarray(HANDSHAKE_LENGTH)
    if (this.host.hostileMode() === 'wrong-version') {
      this.tainted = true
      this.phase = 'ignoring-input'
      this.writeRaw(WRONG_VERSION_REPLY)
      return null
    }
    const { versions, offerManifest } = this.host.settings
    const negotiation = negotiate(parseProposals(bytes), versions, offerManifest)
    if (negotiation.kind === 'none') {
      debug('%s no common protocol version', this.id)
      this.phase = 'ignoring-input'
      this.endWith(NO_VERSION_REPLY)
      return null
    }
    if (negotiation.kind === 'manifest') {
      this.phase = 'manifest'
      this.offeredVersions = versions
      this.writeRaw(manifestReply(versions))
      return rest
    }
    this.writeRaw(legacyReply(negotiation.version))
    this.startSession(negotiation.version, false)
    return rest
  }

  private readManifestChoice (data: Buffer): Buffer | null {
    this.pendingBytes = this.pendingBytes.length === 0 ? data : Buffer.concat([this.pendingBytes, data])
    const choice = parseManifestChoice(this.pendingBytes, this.offeredVersions)
    if (choice.kind === 'incomplete') return null
    if (choice.kind === 'invalid') {
      debug('%s manifest handshake failed: %s', this.id, choice.reason)
      this.phase = 'ignoring-input'
      this.destroyNow()
      return null
    }
    const rest = this.pendingBytes.subarray(choice.consumed)
    this.pendingBytes = Buffer.alloc(0)
    this.startSession(choice.version, true)
    return rest
  }

  private startSession (version: BoltVersion, negotiatedByManifest: boolean): void {
    this.version = version
    this.phase = 'messages'
    this.session = new BoltSession({
      backend: this.host.backend,
      connectionId: this.id,
      version,
      negotiatedByManifest,
      hints: this.host.settings.hints,
      consumeCommitDrop: () => this.host.consumeCommitDrop(),
      isClosed: () => this.closed
    }, this)
  }

  private onMessage (bytes: Buffer): void {
    if (this.phase !== 'messages') return
    let request
    try {
      request = unpack(bytes)
    } catch (error) {
      this.rejectInput(error instanceof PackStreamError ? `Invalid PackStream: ${error.message}` : String(error))
      return
    }
    if (!(request instanceof Structure)) {
      this.rejectInput('A Bolt message must be a Structure')
      return
    }
    this.host.countMessage(statsName(request.tag))
    ;(this.session as BoltSession).noteArrival(request.tag)
    this.queue.push(request)
    if (this.queue.length - this.queueHead >= MAX_QUEUED_REQUESTS) this.pauseReading()
  }

  /** The rest of the input is unusable: answer what came before, then FAILURE and close. */
  private rejectInput (reason: string): void {
    debug('%s protocol violation: %s', this.id, reason)
    this.phase = 'ignoring-input'
    if (this.session === null) {
      this.destroyNow()
      return
    }
    this.queue.push(protocolViolation(reason))
  }

  // --- processing ------------------------------------------------------------

  private pump (): void {
    if (this.pumping || this.session === null) return
    this.pumping = true
    void this.drainQueue()
  }

  private async drainQueue (): Promise<void> {
    const session = this.session as BoltSession
    try {
      while (this.queueHead < this.queue.length && !this.ending && !this.writeBlocked) {
        if (this.host.isBlackholed()) {
          this.blackholed = true
          break
        }
        const item = this.queue[this.queueHead]
        this.queue[this.queueHead++] = undefined
        if (item instanceof FixtureError) {
          this.failure(item)
          this.close()
          break
        }
        await session.handle(item as Structure)
      }
    } catch (error) {
      // handle() never throws; this is a last line of defence for the member.
      debug('%s unexpected error: %s', this.id, (error as Error).message)
      this.failure(asFixtureError(error))
      this.close()
    } finally {
      this.compactQueue()
      this.pumping = false
      this.flush()
      if (this.closed) void this.cleanUp()
      else this.maybeResumeReading()
    }
  }

  private compactQueue (): void {
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0
      this.queueHead = 0
    } else if (this.queueHead > 1024) {
      this.queue.splice(0, this.queueHead)
      this.queueHead = 0
    }
  }

  private pauseReading (): void {
    if (!this.readPaused && !this.closed) {
      this.readPaused = true
      this.socket.pause()
    }
  }

  private maybeResumeReading (): void {
    const queued = this.queue.length - this.queueHead
    if (this.readPaused && !this.writeBlocked && queued <= MAX_QUEUED_REQUESTS / 4 && !this.closed) {
      this.readPaused = false
      this.socket.resume()
    }
  }

  private onDrain (): void {
    if (!this.writeBlocked) return
    this.writeBlocked = false
    this.maybeResumeReading()
    this.pump()
  }

  // --- output (ResponseSink) -------------------------------------------------

  success (metadata: CypherMap): void {
    this.encode('SUCCESS', () => {
      this.writer.writeStructureHeader(1, RESPONSE.SUCCESS)
      writeMap(this.writer, metadata, this.codec())
    })
  }

  record (values: readonly CypherValue[]): void {
    this.encode('RECORD', () => {
      this.writer.writeStructureHeader(1, RESPONSE.RECORD)
      this.writer.writeListHeader(values.length)
      const codec = this.codec()
      for (const value of values) writeCypherValue(this.writer, value, codec)
    })
  }

  ignored (): void {
    this.encode('IGNORED', () => this.writer.writeStructureHeader(0, RESPONSE.IGNORED))
  }

  failure (error: FixtureError): void {
    this.encode('FAILURE', () => {
      this.writer.writeStructureHeader(1, RESPONSE.FAILURE)
      writeMap(this.writer, failureMetadata(error, this.version), this.codec())
    })
  }

  private codec (): { elementIds: boolean, utcDateTime: boolean } {
    return (this.session as BoltSession).codec
  }

  /** Encodes one whole message or, if the value cannot be encoded, nothing (and throws a FixtureError). */
  private encode (what: string, write: () => void): void {
    if (this.outputClosed) return
    const start = this.writer.beginMessage()
    try {
      write()
    } catch (error) {
      this.writer.truncate(start)
      throw new FixtureError('GeneralUnknownError', `Cannot encode the ${what}: ${(error as Error).message}`)
    }
    this.writer.endMessage(start)
    if (this.writer.length >= FLUSH_THRESHOLD_BYTES) this.flush()
  }

  flushSoon (): void {
    if (this.flushScheduled || this.writer.length === 0) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      this.flush()
    })
  }

  flush (): void {
    if (this.writer.length === 0) return
    const answer = this.writer.take()
    if (this.outputClosed || this.stalled) return
    if (this.host.isBlackholed()) {
      this.blackholed = true
      return
    }
    switch (this.host.hostileMode()) {
      case 'garbage':
        this.tainted = true
        this.writeRaw(GARBAGE_FRAME)
        return
      case 'truncate':
        this.tainted = true
        this.ending = true
        this.endWith(truncatedAnswer(answer))
        return
      case 'absurd-size':
        this.tainted = true
        this.stalled = true
        this.writeRaw(ABSURD_CHUNK_HEADER)
        return
      case 'silent-after-handshake':
        this.tainted = true
        return
      default:
        this.writeRaw(answer)
    }
  }

  close (): void {
    if (this.outputClosed) return
    this.ending = true
    this.flush()
    this.endWith(null)
  }

  destroy (): void {
    // Earlier answers still go out; only the one being decided is lost.
    this.flush()
    this.destroyNow()
  }

  private writeRaw (bytes: Buffer): void {
    if (this.outputClosed) return
    if (!this.socket.write(bytes)) {
      this.writeBlocked = true
      this.pauseReading()
    }
  }

  /** Writes the last bytes (if any), ends our side, and destroys the socket once written (or after a grace period). */
  private endWith (bytes: Buffer | null): void {
    if (this.outputClosed) return
    this.outputClosed = true
    this.ending = true
    const destroy = (): void => { this.socket.destroy() }
    if (bytes !== null) this.socket.end(bytes, destroy)
    else this.socket.end(destroy)
    this.addTimer(destroy, END_GRACE_MS)
  }

  private addTimer (action: () => void, ms: number): void {
    const timer = setTimeout(action, ms)
    timer.unref()
    this.timers.push(timer)
  }

  // --- teardown ----------------------------------------------------------------

  private onClose (): void {
    if (this.closed) return
    this.closed = true
    this.ending = true
    this.outputClosed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.length = 0
    this.queue.length = 0
    this.queueHead = 0
    this.host.connectionClosed(this)
    // A request in progress finishes first; drainQueue cleans up after it.
    if (!this.pumping) void this.cleanUp()
  }

  private async cleanUp (): Promise<void> {
    if (this.cleanupStarted) return
    this.cleanupStarted = true
    try {
      await this.session?.abandon()
    } catch {
      // Never let a failing rollback escape: the member must keep serving.
    } finally {
      this.resolveFinished()
    }
  }
}

/** True while the bytes so far could still become the magic (a handshake split across reads). */
function isMagicPrefix (bytes: Buffer): boolean {
  if (bytes.length >= 4) return false
  const magic = [0x60, 0x60, 0xB0, 0x17]
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== magic[i]) return false
  return true
}
