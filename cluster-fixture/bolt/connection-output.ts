// The output side of one client connection: answers encoded into one growing
// buffer and written once per batch, what a black hole or a hostile mode does
// to them, ending the connection after the last answer, and NOOP keep-alives.
//
// Keep-alive (Neo4j's KeepAliveHandler with server.bolt.connection_keep_alive
// = 1m and connection_keep_alive_for_requests = ALL): while a request is in
// progress and nothing has been written for `keepAliveMs`, a NOOP chunk
// (00 00) goes out, so a client that takes the `connection.recv_timeout_seconds`
// hint never mistakes a long lock, bookmark or commit wait for a dead server.
// Only waits that outlast the pre-wait flush start the keep-alive timer, so
// the common short request costs no timer.

import type { Socket } from 'node:net'
import { AnswerEncoder } from './answer-encoder.js'
import { type HostileMode, hostileAnswer } from './hostile.js'

/** What the output asks of its connection. */
export interface OutputHooks {
  isBlackholed: () => boolean
  hostileMode: () => HostileMode | null
  /** The black hole swallowed output: the connection is destroyed when it is lifted. */
  blackholed: () => void
  /** Output was mangled by a hostile mode: the connection is destroyed when the mode is cleared. */
  tainted: () => void
  /** The socket's buffer is full: stop reading until it drains. */
  writeBlocked: () => void
  /** A request is in progress (keep-alive applies only then). */
  busy: () => boolean
}

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
const NOOP = Buffer.from([0x00, 0x00])

export class ConnectionOutput {
  readonly answers = new AnswerEncoder()
  /** Our side of the socket is ended or destroyed: nothing more can be written. */
  closed = false
  /** 'absurd-size' promised bytes that never come: nothing may follow. */
  private stalled = false
  private preWaitFlush: NodeJS.Timeout | null = null
  private keepAliveTimer: NodeJS.Timeout | null = null
  private lastWriteAt = Date.now()
  private readonly timers: NodeJS.Timeout[] = []

  constructor (
    private readonly socket: Socket,
    private readonly hooks: OutputHooks,
    private readonly keepAliveMs: number
  ) {}

  /** Call after encoding an answer: a large batch goes out before more is encoded. */
  afterAnswer (): void {
    if (this.answers.length >= FLUSH_THRESHOLD_BYTES) this.flush()
  }

  flushSoon (): void {
    if (this.preWaitFlush !== null || this.closed) return
    this.preWaitFlush = setTimeout(() => {
      this.preWaitFlush = null
      this.flush()
      this.armKeepAlive()
    }, PRE_WAIT_FLUSH_MS)
  }

  flush (): void {
    if (this.preWaitFlush !== null) {
      clearTimeout(this.preWaitFlush)
      this.preWaitFlush = null
    }
    if (this.answers.length === 0) return
    const answer = this.answers.take()
    if (this.closed || this.stalled) return
    if (this.hooks.isBlackholed()) {
      this.hooks.blackholed()
      return
    }
    const mode = this.hooks.hostileMode()
    if (mode === null || mode === 'wrong-version') {
      this.write(answer)
      return
    }
    this.hooks.tainted()
    const misbehaviour = hostileAnswer(mode, answer)
    if (misbehaviour.then === 'end') {
      this.end(misbehaviour.bytes)
      return
    }
    if (misbehaviour.then === 'stall') this.stalled = true
    if (misbehaviour.bytes !== null) this.write(misbehaviour.bytes)
  }

  write (bytes: Buffer): void {
    if (this.closed) return
    this.lastWriteAt = Date.now()
    if (!this.socket.write(bytes)) this.hooks.writeBlocked()
  }

  /** Writes the last bytes (if any), ends our side, and destroys the socket once written (or after a grace period). */
  end (bytes: Buffer | null): void {
    if (this.closed) return
    this.closed = true
    this.stopKeepAlive()
    const destroy = (): void => { this.socket.destroy() }
    if (bytes !== null) this.socket.end(bytes, destroy)
    else this.socket.end(destroy)
    this.addTimer(destroy, END_GRACE_MS)
  }

  /** Nothing more will be written (the socket is destroyed or closed). */
  markClosed (): void {
    this.closed = true
    this.stopKeepAlive()
  }

  /** Clears every timer (the socket closed). */
  dispose (): void {
    this.markClosed()
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.length = 0
    if (this.preWaitFlush !== null) clearTimeout(this.preWaitFlush)
    this.preWaitFlush = null
  }

  addTimer (action: () => void, ms: number): void {
    const timer = setTimeout(action, ms)
    timer.unref()
    this.timers.push(timer)
  }

  /** The request in progress ended: no keep-alive until the next long wait. */
  stopKeepAlive (): void {
    if (this.keepAliveTimer === null) return
    clearTimeout(this.keepAliveTimer)
    this.keepAliveTimer = null
  }

  private armKeepAlive (): void {
    if (this.keepAliveMs <= 0 || this.keepAliveTimer !== null || this.closed || !this.hooks.busy()) return
    const due = Math.max(1, this.lastWriteAt + this.keepAliveMs - Date.now())
    this.keepAliveTimer = setTimeout(() => {
      this.keepAliveTimer = null
      if (this.closed || !this.hooks.busy()) return
      if (Date.now() - this.lastWriteAt >= this.keepAliveMs) this.sendNoop()
      this.armKeepAlive()
    }, due)
    this.keepAliveTimer.unref()
  }

  /** A NOOP chunk between messages; never while a black hole or hostile mode owns the output. */
  private sendNoop (): void {
    if (this.stalled || this.hooks.isBlackholed() || this.hooks.hostileMode() !== null) return
    this.flush()
    this.write(NOOP)
  }
}
