// Black-holed members: a member that accepted a request and then went silent
// would hang that request until the OS gives up on the socket (minutes).
// When a connection has waited longer than `probeAfterMs` without a byte from
// its server, probe the member with a fresh connection (TCP + handshake +
// HELLO/LOGON, bounded by connectionTimeout; one probe per member at a time).
// If the probe cannot get an answer either, the member is unresponsive: the
// caller fails every request in flight there and forgets the member. If it
// answers, the silence is a slow query: keep waiting and probe again later,
// at a falling rate (×2 per answered probe, capped).
//
// While the probe runs, the cluster can give a second opinion: if the routing
// layer learns from the other members that someone else took over what the
// silent member led (they elected a new leader), the member is treated as
// unresponsive at once, without waiting for the probe to time out.
//
// This file only decides; the clock, the timer and the probe are injected, so
// the decisions are unit-tested without a network. Nothing runs while no
// request is outstanding: the timer is armed when a connection starts waiting
// and re-armed only while some connection is still waiting.

import type { DriverClock } from '../clock.js'

/** One connection as the detector sees it (PooledConnection implements it). */
export interface SilenceSource {
  /** The pool key of the member the connection goes to. */
  readonly member: string
  /** Since when the server has sent nothing while a request was outstanding; undefined when nothing is outstanding. */
  silentSince: () => number | undefined
}

export interface ProbeEvent {
  readonly member: string
  /** 'answered': the member is alive (a slow query); 'unresponsive': the probe failed too. */
  readonly outcome: 'answered' | 'unresponsive'
  /** How long the longest-waiting connection had been silent when the probe started. */
  readonly silentMs: number
  readonly tookMs: number
  readonly error?: Error
}

export interface DetectorOptions {
  /** ms of silence with a request outstanding before the member is probed. */
  readonly probeAfterMs: number
  /** Longest pause between two probes of a member whose probes keep answering. */
  readonly maxProbeIntervalMs: number
  readonly clock: DriverClock
  /** Opens a fresh connection to the member and closes it; rejects when it cannot. */
  readonly probe: (member: string) => Promise<void>
  /**
   * Asked when a probe starts, with a signal aborted once the probe is
   * decided: resolves with an Error when the rest of the cluster shows the
   * member was replaced (the member is then unresponsive without waiting for
   * the probe), or undefined when it has no such evidence.
   */
  readonly secondOpinion?: (member: string, signal: AbortSignal) => Promise<Error | undefined>
  /** A probe failure that says "no answer" (timeout, refused, connection lost) rather than "answered with an error" (e.g. auth). */
  readonly isUnreachable: (error: unknown) => boolean
  /** The member stopped answering: fail what is in flight there and forget it. */
  readonly onUnresponsive: (member: string, cause: Error, silentMs: number) => void
  readonly onProbe?: (event: ProbeEvent) => void
}

interface MemberState {
  probing: boolean
  /** Probes answered in a row while this silence lasts (sets the next interval). */
  answered: number
  /** No new probe before this time (after an answered probe). */
  quietUntil: number
}

export class UnresponsiveMemberDetector {
  private readonly options: DetectorOptions
  private readonly sources = new Set<SilenceSource>()
  private readonly members = new Map<string, MemberState>()
  private timer: unknown
  private armedAt = Infinity
  private closed = false

  constructor (options: DetectorOptions) {
    this.options = options
  }

  watch (source: SilenceSource): void {
    if (!this.closed) this.sources.add(source)
  }

  unwatch (source: SilenceSource): void {
    this.sources.delete(source)
  }

  /** A watched connection started waiting for an answer: make sure a check runs when it could first be due. O(1). */
  awaiting (): void {
    if (this.closed) return
    this.arm(this.options.clock.now() + this.options.probeAfterMs)
  }

  /** Probes in flight (for tests and stats). */
  get probing (): number {
    let count = 0
    for (const state of this.members.values()) if (state.probing) count++
    return count
  }

  get watched (): number { return this.sources.size }

  /** One pass: probe members silent for too long, and arm the timer for the next moment something could be due. */
  check (): void {
    if (this.closed) return
    const now = this.options.clock.now()
    const silentSince = this.longestSilences()
    // A silence that ended (bytes came, or nothing is outstanding) starts the next one afresh.
    for (const [member, state] of this.members) {
      const since = silentSince.get(member)
      if (!state.probing && (since === undefined || now - since < this.options.probeAfterMs)) this.members.delete(member)
    }
    let next = Infinity
    for (const [member, since] of silentSince) {
      const dueAt = since + this.options.probeAfterMs
      if (now < dueAt) { next = Math.min(next, dueAt); continue }
      let state = this.members.get(member)
      if (state === undefined) {
        state = { probing: false, answered: 0, quietUntil: -Infinity }
        this.members.set(member, state)
      }
      if (state.probing) continue // its completion runs the next check
      if (now < state.quietUntil) { next = Math.min(next, state.quietUntil); continue }
      this.startProbe(member, state, now - since)
    }
    if (next < Infinity) this.arm(next)
  }

  close (): void {
    this.closed = true
    this.disarm()
    this.sources.clear()
    this.members.clear()
  }

  private startProbe (member: string, state: MemberState, silentMs: number): void {
    state.probing = true
    const startedAt = this.options.clock.now()
    const decided = new AbortController()
    const finish = (error: unknown, replaced: boolean): void => {
      if (decided.signal.aborted) return // the other of probe and second opinion came first
      decided.abort()
      state.probing = false
      if (this.closed) return
      const tookMs = this.options.clock.now() - startedAt
      // A failed probe only condemns the member if it is still silent: bytes that
      // arrived meanwhile mean the probe failed for another reason (an overloaded client).
      const stillSilent = (this.longestSilences().get(member) ?? Infinity) <= startedAt
      if (error !== undefined && (replaced || this.options.isUnreachable(error)) && stillSilent) {
        // Its connections are failed now; should one stay silent anyway, wait a
        // period before the next probe (a refused probe fails at once: no spinning).
        state.answered = 0
        state.quietUntil = this.options.clock.now() + this.options.probeAfterMs
        const cause = error instanceof Error ? error : new Error(String(error))
        this.options.onProbe?.({ member, outcome: 'unresponsive', silentMs, tookMs, error: cause })
        this.options.onUnresponsive(member, cause, silentMs + tookMs)
      } else {
        state.answered++
        const interval = Math.min(this.options.maxProbeIntervalMs, this.options.probeAfterMs * 2 ** (state.answered - 1))
        state.quietUntil = this.options.clock.now() + interval
        this.options.onProbe?.({ member, outcome: 'answered', silentMs, tookMs, ...(error instanceof Error ? { error } : {}) })
      }
      this.check()
    }
    let probe: Promise<void>
    try {
      probe = this.options.probe(member)
    } catch (error) {
      probe = Promise.reject(error)
    }
    probe.then(() => finish(undefined, false), (error: unknown) => finish(error, false))
    this.options.secondOpinion?.(member, decided.signal).then(
      (replacedBy) => { if (replacedBy !== undefined) finish(replacedBy, true) },
      () => {} // no opinion: the probe decides
    )
  }

  /** member → the earliest `silentSince` among its connections (only members with a silent connection). */
  private longestSilences (): Map<string, number> {
    const result = new Map<string, number>()
    for (const source of this.sources) {
      const since = source.silentSince()
      if (since === undefined) continue
      const known = result.get(source.member)
      if (known === undefined || since < known) result.set(source.member, since)
    }
    return result
  }

  private arm (at: number): void {
    if (this.timer !== undefined && this.armedAt <= at) return
    this.disarm()
    this.armedAt = at
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined
      this.armedAt = Infinity
      this.check()
    }, Math.max(0, at - this.options.clock.now()))
  }

  private disarm (): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = Infinity
  }
}
