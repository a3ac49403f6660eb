// One client connection: bytes in (handshake, chunks, PackStream), a queue of
// requests fed one at a time to the BoltSession, and answers out (through
// ConnectionOutput: encoded into one growing buffer, written once per batch).
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
import { ConnectionOutput } from './connection-output.js'
import { type HostileMode, WRONG_VERSION_REPLY } from './hostile.js'
import { protocolViolation, statsName } from './messages.js'
import { PackStreamError, Structure, unpack } from './packstream.js'
import { BoltSession, type ResponseSink } from './session.js'
import type { ConnectionHints } from './session-contract.js'
import { StrictJudge, type StrictRule } from './strict-rules.js'
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
  /** A request broke a strict rule (refused, or let through when lenient). */
  countBreach: (rule: StrictRule) => void
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
  hints: ConnectionHints
  /** Let requests that break a strict rule through (strict-rules.ts). */
  lenient: boolean
  /** NOOP after this long without output while a request is in progress; 0 = never. */
  keepAliveMs: number
}

type Phase = 'handshake' | 'messages' | 'ignoring-input'

const EMPTY = Buffer.alloc(0)
/** Requests queued beyond this pause reading from the socket until the queue drains to a quarter. */
const MAX_QUEUED_REQUESTS = 512

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
  private readonly output: ConnectionOutput
  private session: BoltSession | null = null
  private version: BoltVersion = 0
  private readonly queue: Array<Structure | FixtureError | undefined> = []
  private queueHead = 0
  private pumping = false
  private writeBlocked = false
  private readPaused = false
  /** No more requests are processed (a close was decided). */
  private ending = false
  private closed = false
  private cleanupStarted = false
  private resolveFinished!: () => void

  constructor (
    private readonly socket: Socket,
    readonly id: string,
    private readonly host: ConnectionHost
  ) {
    this.finished = new Promise(resolve => { this.resolveFinished = resolve })
    this.dechunker = new Dechunker(host.settings.maxMessageBytes)
    this.handshake = new HandshakeReader(host.settings.versions, host.settings.offerManifest)
    this.output = new ConnectionOutput(socket, {
      isBlackholed: () => host.isBlackholed(),
      hostileMode: () => host.hostileMode(),
      blackholed: () => { this.blackholed = true },
      tainted: () => { this.tainted = true },
      writeBlocked: () => {
        this.writeBlocked = true
        this.pauseReading()
      },
      busy: () => this.pumping
    }, host.settings.keepAliveMs)
    if (host.isBlackholed()) this.blackholed = true
    socket.setNoDelay(true)
    socket.on('data', (data: Buffer) => this.onData(data))
    socket.on('drain', () => this.onDrain())
    socket.on('error', (error: Error) => {
      debug('%s socket error: %s', this.id, error.message)
      socket.destroy()
    })
    socket.on('close', () => this.onClose())
    this.output.addTimer(() => {
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
    this.output.markClosed()
    this.socket.destroy()
  }

  /** Aborts the connection with a TCP reset (black hole lifted, hostile mode cleared): the client sees ECONNRESET. */
  resetNow (): void {
    this.ending = true
    this.output.markClosed()
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
      this.output.write(step.reply)
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
        if (step.reply !== null) this.output.write(step.reply)
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
    this.output.write(WRONG_VERSION_REPLY)
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
      judge: new StrictJudge(this.host.settings.lenient, rule => this.host.countBreach(rule)),
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
      this.output.stopKeepAlive()
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
    if (this.output.closed) return
    this.output.answers.success(metadata, this.codec())
    this.output.afterAnswer()
  }

  record (values: readonly CypherValue[]): void {
    if (this.output.closed) return
    this.output.answers.record(values, this.codec())
    this.output.afterAnswer()
  }

  ignored (): void {
    if (this.output.closed) return
    this.output.answers.ignored()
    this.output.afterAnswer()
  }

  failure (error: FixtureError): void {
    if (this.output.closed) return
    this.output.answers.failure(error, this.version, this.codec())
    this.output.afterAnswer()
  }

  private codec (): CodecOptions {
    return (this.session as BoltSession).codec
  }

  flushSoon (): void {
    this.output.flushSoon()
  }

  flush (): void {
    this.output.flush()
  }

  close (): void {
    if (this.output.closed) return
    this.ending = true
    this.flush()
    this.endWith(null)
  }

  destroy (): void {
    // Earlier answers still go out; only the one being decided is lost.
    this.flush()
    this.destroyNow()
  }

  /** Writes the last bytes (if any), ends our side, and destroys the socket once written (or after a grace period). */
  private endWith (bytes: Buffer | null): void {
    this.ending = true
    this.output.end(bytes)
  }

  // --- teardown ----------------------------------------------------------------

  private onClose (): void {
    if (this.closed) return
    this.closed = true
    this.ending = true
    this.output.dispose()
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
