// The retry decision as a small state object with an injected clock and
// random source, so it is tested without a network or real time.
//
// - `maxTransactionRetryTime` is a hard deadline counted from the first
//   attempt: no attempt starts at or after it, and a backoff never sleeps past it.
// - Fast failover: a dead connection or a forgotten writer is fixed by a
//   fresh routing table, so the next attempt starts at once — but never twice
//   in a row (a cluster that keeps failing that way needs time, not a spin).
// - Otherwise exponential backoff with jitter: initialDelay × multiplier^n,
//   capped at maxDelay, each scaled by a factor in [1 − jitter, 1 + jitter];
//   while the table has no writer (an election), a steady LEADER_POLL_MS
//   instead, for the first LEADER_FAST_POLL_WINDOW_MS of that wait.
// - Non-retryable errors stop the loop and surface unchanged.

import { LEADER_POLL_MS } from '../cluster-timing.js'
import { isAwaitingLeader, isFastRetryCause, isRetryableError, RetriesExhaustedError, type AttemptRecord } from '../errors.js'

/**
 * The election poll's pace is shared with the routing layer, which reuses an
 * answer without a writer for as long (lib/cluster-timing.ts): however many
 * sessions wait, an election costs about one ROUTE per poll per database.
 */
export { LEADER_POLL_MS }

/**
 * How long the fast leader poll lasts within one retry loop. An election ends
 * well within it; a wait that outlasts it (no majority, a long outage) is
 * not an election, and polling every 25 ms for the rest of the budget would
 * only load the routers: past the window the ordinary backoff applies.
 */
export const LEADER_FAST_POLL_WINDOW_MS = 2000

export interface RetryPolicy {
  readonly budgetMs: number
  readonly initialDelayMs: number
  readonly multiplier: number
  readonly maxDelayMs: number
  /** 0…1 */
  readonly jitter: number
}

export type RetryDecision =
  | { readonly kind: 'retry', readonly delayMs: number, readonly fast: boolean }
  | { readonly kind: 'stop', readonly error: Error }

export interface RetryClock {
  readonly now: () => number
  /** [0, 1) */
  readonly random: () => number
}

/** The clock both the retry loop and its decisions read unless one is injected: the driver's default (Date.now, like every deadline). */
export const DEFAULT_RETRY_CLOCK: RetryClock = { now: () => Date.now(), random: Math.random }

export class RetryState {
  private readonly policy: RetryPolicy
  private readonly clock: RetryClock
  private readonly records: AttemptRecord[] = []
  private startedAt: number | undefined
  private backoffs = 0
  private lastWasFast = false
  /** When this loop first saw a routing table without a writer. */
  private awaitingLeaderSince: number | undefined
  /** When the attempt in progress started. */
  private attemptStartedAt: number | undefined

  constructor (policy: RetryPolicy, clock: RetryClock = DEFAULT_RETRY_CLOCK) {
    this.policy = policy
    this.clock = clock
  }

  /** Call when an attempt starts (the first one starts the budget). */
  start (): void {
    const now = this.clock.now()
    this.startedAt ??= now
    this.attemptStartedAt = now
  }

  get deadline (): number {
    return (this.startedAt ?? this.clock.now()) + this.policy.budgetMs
  }

  remainingMs (): number {
    return this.deadline - this.clock.now()
  }

  elapsedMs (): number {
    return this.startedAt === undefined ? 0 : this.clock.now() - this.startedAt
  }

  get attempts (): readonly AttemptRecord[] {
    return this.records
  }

  /** The first attempt always runs; later ones only before the deadline. */
  canStartAttempt (): boolean {
    return this.records.length === 0 || this.clock.now() < this.deadline
  }

  /** The error to throw when the deadline stops the loop. */
  exhausted (): RetriesExhaustedError {
    return new RetriesExhaustedError(this.records, this.elapsedMs(), this.policy.budgetMs,
      'the retry budget ran out (no attempt starts after maxTransactionRetryTime)')
  }

  /** Record a failed attempt and decide what happens next. */
  recordFailure (error: unknown): RetryDecision {
    const startedAt = (this.startedAt ??= this.clock.now()) // a failure with no start recorded: the budget starts here
    const err = error instanceof Error ? error : new Error(String(error))
    const attempt = this.records.length + 1
    const atMs = this.elapsedMs()
    const startedAtMs = (this.attemptStartedAt ?? startedAt) - startedAt
    // A zero budget turns retries off: the error is the answer, as it came.
    if (!isRetryableError(error) || this.policy.budgetMs === 0) {
      this.records.push({ attempt, startedAtMs, atMs, error: err })
      return { kind: 'stop', error: err }
    }
    const remaining = this.remainingMs()
    if (remaining <= 0) {
      this.records.push({ attempt, startedAtMs, atMs, error: err })
      return { kind: 'stop', error: this.exhausted() }
    }
    const fast = isFastRetryCause(error) && !this.lastWasFast
    let delayMs = 0
    if (!fast) {
      let base = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * this.policy.multiplier ** this.backoffs)
      // Waiting for an election: poll the routing table at a short, steady pace
      // instead of backing off past the moment the new leader is ready
      // (retry.maxDelay below it still wins: the caller asked for faster).
      if (isAwaitingLeader(error)) {
        this.awaitingLeaderSince ??= this.clock.now()
        if (this.clock.now() - this.awaitingLeaderSince < LEADER_FAST_POLL_WINDOW_MS) base = Math.min(LEADER_POLL_MS, this.policy.maxDelayMs)
      }
      const factor = 1 + this.policy.jitter * (2 * this.clock.random() - 1)
      delayMs = Math.max(0, Math.min(base * factor, remaining))
      this.backoffs++
    }
    this.lastWasFast = fast
    this.records.push({ attempt, startedAtMs, atMs, error: err, delayMs })
    return { kind: 'retry', delayMs, fast }
  }
}
