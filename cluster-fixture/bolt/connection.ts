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
import { HandshakeReader } from './handshake-reader.js'
import { type HostileMode, WRONG_VERSION_REPLY, hostileAnswer } from './hostile.js'
import { protocolViolation, statsName } from './messages.js'
import { PackStreamError, Structure, unpack } from './packstream.js'
import { AnswerEncoder } from './answer-encoder.js'
import { BoltSession, type ResponseSink } from './session.js'
import type { CodecOptions } from './value-codec.js'
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
  /** A handshake agreed on `version`, through a Manifest v1 exchange or the legacy reply. */
  countHandshake: (version: BoltVersion, byManifest: boolean) => void
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

type Phase = 'handshake' | 'messages' | 'ignoring-input'

const EMPTY = Buffer.alloc(0)
/** Requests queued beyond this pause reading from the socket until the queue drains to a quarter. */
const MAX_QUEUED_REQUESTS = 512
/** Answers buffered beyond this are written out before more are encoded. */
const FLUSH_THRESHOLD_BYTES = 64 * 1024
/** After we end a connection, how long the client gets to read the last answers before the socket is destroyed. */
const END_GRACE_MS = 2000
/**
 * A wait on the backend that lasts this long lets out the answers buffered
 * before it (flushSoon). Shorter waits — a write lock that is free, a commit's
 * Raft round trip (two in-process hops) — end first, so their answers leave
 * with the rest of the batch in one socket write: a second write per auto-commit
 * write was a third of a member's CPU time. A lock or bookmark wait still lets
 * earlier answers (e.g. BEGIN's SUCCESS) out after about a millisecond.
 */
const PRE_WAIT_FLUSH_MS = 1

export class BoltConnection implements ResponseSink {
  /** Saw the black hole: destroyed when it is lifted. */
  blackholed = false
  /** Misbehaved under a hostile mode: destroyed when the mode is cleared. */
  tainted = false
  /** Resolves once the connection is closed and its open transaction rolled back. */
  readonly finished: Promise<void>

  private phase: Phase = 'handshake'
  private readonly handshake: HandshakeReader
  private readonly dechunker: Dechunker
  private readonly answers = new AnswerEncoder()
  private session: BoltSession | null = null
  private version: BoltVersion = 0
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
  private preWaitFlush: NodeJS.Timeout | null = null
  private resolveFinished!: () => void
  private readonly timers: NodeJS.Timeout[] = []

  constructor (
    private readonly socket: Socket,
    readonly id: string,
    private readonly host: ConnectionHost
  ) {
    this.finished = new Promise(resolve => { this.resolveFinished = resolve })
    this.dechunker = new Dechunker(host.settings.maxMessageBytes)
    this.handshake = new HandshakeReader(host.settings.versions, host.settings.offerManifest)
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
      if (this.phase === 'handshake') {
        debug('%s handshake not completed in time', this.id)
        this.destroyNow()
      }
    }, host.settings.handshakeTimeoutMs)
  }

  get isClosed (): boolean {
    return this.closed
  }

  /** Destroys the socket now (server close). */
  destroyNow (): void {
    this.ending = true
    this.outputClosed = true
    this.socket.destroy()
  }

  /** Aborts the connection with a TCP reset (black hole lifted, hostile mode cleared): the client sees ECONNRESET. */
  resetNow (): void {
    this.ending = true
    this.outputClosed = true
    if (typeof this.socket.resetAndDestroy === 'function' && !this.socket.destroyed) this.socket.resetAndDestroy()
    else this.socket.destroy()
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
      if (this.phase === 'handshake') rest = this.readHandshake(data)
      if (rest !== null && rest.length > 0 && this.phase === 'messages') {
        this.dechunker.feed(rest, message => this.onMessage(message))
      }
    } catch (error) {
      const reason = error instanceof FramingError ? error.message : `Unreadable input: ${(error as Error).message}`
      this.rejectInput(reason)
    }
    this.pump()
  }

  /** Returns the bytes that follow the handshake once it is agreed, else null. */
  private readHandshake (data: Buffer): Buffer | null {
    let step = this.handshake.feed(data)
    if (step.kind === 'manifest') {
      if (this.answeredWithWrongVersion()) return null
      this.writeRaw(step.reply)
      // The client's choice (and its HELLO) may have come in the same read.
      step = this.handshake.feed(EMPTY)
    }
    switch (step.kind) {
      case 'need-more':
      case 'manifest':
        return null
      case 'reject':
        debug('%s handshake rejected: %s', this.id, step.reason)
        this.phase = 'ignoring-input'
        this.destroyNow()
        return null
      case 'no-version':
        if (this.answeredWithWrongVersion()) return null
        debug('%s no common protocol version', this.id)
        this.phase = 'ignoring-input'
        this.endWith(step.reply)
        return null
      case 'agreed':
        if (!step.byManifest && this.answeredWithWrongVersion()) return null
        if (step.reply !== null) this.writeRaw(step.reply)
        this.host.countHandshake(step.version, step.byManifest)
        this.startSession(step.version, step.byManifest)
        return step.rest
    }
  }

  /** Hostile 'wrong-version': the handshake answer names 9.9 and nothing else happens. */
  private answeredWithWrongVersion (): boolean {
    if (this.host.hostileMode() !== 'wrong-version') return false
    this.tainted = true
    this.phase = 'ignoring-input'
    this.writeRaw(WRONG_VERSION_REPLY)
    return true
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
    this.drainQueue().catch((error: Error) => {
      // Nothing may escape as an unhandled rejection: drop the connection instead.
      debug('%s internal error: %s', this.id, error.message)
      this.destroyNow()
    })
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
      try {
        this.failure(asFixtureError(error))
      } catch {
        // Could not even report it; closing is all that is left.
      }
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
    if (this.outputClosed) return
    this.answers.success(metadata, this.codec())
    this.afterAnswer()
  }

  record (values: readonly CypherValue[]): void {
    if (this.outputClosed) return
    this.answers.record(values, this.codec())
    this.afterAnswer()
  }

  ignored (): void {
    if (this.outputClosed) return
    this.answers.ignored()
    this.afterAnswer()
  }

  failure (error: FixtureError): void {
    if (this.outputClosed) return
    this.answers.failure(error, this.version, this.codec())
    this.afterAnswer()
  }

  private codec (): CodecOptions {
    return (this.session as BoltSession).codec
  }

  private afterAnswer (): void {
    if (this.answers.length >= FLUSH_THRESHOLD_BYTES) this.flush()
  }

  flushSoon (): void {
    if (this.preWaitFlush !== null || this.answers.length === 0) return
    this.preWaitFlush = setTimeout(() => {
      this.preWaitFlush = null
      this.flush()
    }, PRE_WAIT_FLUSH_MS)
  }

  flush (): void {
    if (this.preWaitFlush !== null) {
      clearTimeout(this.preWaitFlush)
      this.preWaitFlush = null
    }
    if (this.answers.length === 0) return
    const answer = this.answers.take()
    if (this.outputClosed || this.stalled) return
    if (this.host.isBlackholed()) {
      this.blackholed = true
      return
    }
    const mode = this.host.hostileMode()
    if (mode === null || mode === 'wrong-version') {
      this.writeRaw(answer)
      return
    }
    this.tainted = true
    const misbehaviour = hostileAnswer(mode, answer)
    if (misbehaviour.then === 'end') {
      this.endWith(misbehaviour.bytes)
      return
    }
    if (misbehaviour.then === 'stall') this.stalled = true
    if (misbehaviour.bytes !== null) this.writeRaw(misbehaviour.bytes)
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
    if (this.preWaitFlush !== null) clearTimeout(this.preWaitFlush)
    this.preWaitFlush = null
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
