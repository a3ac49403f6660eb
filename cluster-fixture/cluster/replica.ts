// One member's copy of one database: its Raft node, the index it has applied
// up to, the lag with which it applies (secondaries), the bookmark waiters,
// and the write lock used when it leads. What "applying" means is given by
// the owner: ops into a GraphStore for user databases, commands into the
// Catalogue for `system`.

import createDebug from 'debug'
import { FixtureError } from '../errors.js'
import {
  RaftNode, isVoter, type InProcessNetwork, type LogEntry, type Membership, type RaftMessage, type RaftStatus,
  type RandomSource, type Scheduler, type TimerHandle
} from '../raft/index.js'
import type { Interruption } from '../bolt/backend.js'
import { WriteLock, interrupted } from './write-lock.js'

const debug = createDebug('neo4j-cluster:fixture:replica')

/** 'starting': a copy placed here later, catching up from the log; 'offline': stopped (member or database). */
export type ReplicaState = 'starting' | 'online' | 'offline' | 'dropped'

export interface ReplicaOptions<C> {
  member: string
  database: string
  incarnation: number
  role: 'primary' | 'secondary'
  /** Raft membership to start from: the creation allocation, or empty for a copy that joins later. */
  bootstrap: Membership
  joining: boolean
  network: InProcessNetwork
  scheduler: Scheduler
  random: RandomSource
  electionTimeoutMs: readonly [number, number]
  heartbeatMs: number
  lagMs: number
  /** Applies one committed command (called in log order, exactly once per index). */
  apply: (command: C, index: number) => void
}

interface Waiter {
  index: number
  resolve: () => void
  reject: (error: FixtureError) => void
  timer: TimerHandle | null
}

export class DatabaseReplica<C> {
  readonly member: string
  readonly database: string
  readonly incarnation: number
  readonly role: 'primary' | 'secondary'
  readonly raft: RaftNode<C>
  readonly writeLock: WriteLock
  /** Raft group name: one group per database incarnation. */
  readonly group: string
  private applied = 0
  private currentState: ReplicaState
  private lag: number
  /** Commit indexes seen but not yet applied because of lag, with when they were seen. */
  private readonly lagged: Array<{ upTo: number, seenAt: number }> = []
  private lagTimer: TimerHandle | null = null
  private readonly waiters = new Set<Waiter>()
  private readonly stateListeners = new Set<() => void>()
  private readonly options: ReplicaOptions<C>
  /** Commit index the leader reported when this joining copy first heard from it. */
  private catchUpTarget: number | null = null

  constructor (options: ReplicaOptions<C>) {
    this.options = options
    this.member = options.member
    this.database = options.database
    this.incarnation = options.incarnation
    this.role = options.role
    this.lag = options.lagMs
    this.group = `${options.database}#${options.incarnation}`
    this.currentState = options.joining ? 'starting' : 'online'
    this.writeLock = new WriteLock(options.scheduler, options.database)
    const transport = options.network.attach<RaftMessage<C>>(this.group, options.member, (from, message) => {
      if (this.currentState === 'starting' && message.type === 'appendEntries' && this.catchUpTarget === null) {
        this.catchUpTarget = message.leaderCommit
      }
      this.raft.receive(from, message)
    })
    this.raft = new RaftNode<C>({
      id: options.member,
      membership: options.bootstrap,
      transport,
      scheduler: options.scheduler,
      random: options.random,
      electionTimeoutMs: options.electionTimeoutMs,
      heartbeatMs: options.heartbeatMs,
      label: this.group
    })
    this.raft.onCommit((commitIndex) => this.onCommit(commitIndex))
    this.raft.onStatus((status) => this.onStatus(status))
  }

  get state (): ReplicaState { return this.currentState }
  get appliedIndex (): number { return this.applied }
  get lagMs (): number { return this.lag }
  get isLeader (): boolean { return this.raft.isLeader }
  /** The leader this copy believes in (itself when leading); null during an election. */
  get leaderId (): string | null { return this.raft.leaderId }

  /** Ready to take writes: leading, and every committed entry applied. */
  get isWritable (): boolean {
    return this.raft.isReadyLeader && this.applied >= this.raft.commitIndex && this.currentState === 'online'
  }

  onStateChange (listener: () => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  start (firstElectionDelayMs?: number): void {
    if (this.currentState === 'dropped') return
    if (this.currentState === 'offline') this.currentState = this.catchUpDone() ? 'online' : 'starting'
    this.raft.start(firstElectionDelayMs)
    this.emit()
  }

  /** Member stopped or database stopped: Raft silent, waiters fail, state kept for a restart. */
  stop (reason: string): void {
    if (this.currentState === 'dropped') return
    this.raft.stop()
    this.currentState = 'offline'
    this.failWaiters(new FixtureError('DatabaseUnavailable', `Database '${this.database}' is unavailable on ${this.member}: ${reason}`))
    this.writeLock.revokeAll(this.notLeaderError(reason))
    this.emit()
  }

  /** The copy is removed from this member for good. */
  drop (reason: string): void {
    this.stop(reason)
    this.options.network.detach(this.group, this.member)
    this.options.scheduler.clearTimeout(this.lagTimer)
    this.currentState = 'dropped'
    this.emit()
  }

  setLag (ms: number): void {
    this.lag = ms
    this.scheduleLagged()
  }

  /**
   * Resolves once this copy has applied `index` (event-driven, no polling);
   * rejects with BookmarkTimeout after `timeoutMs`.
   */
  waitForApplied (index: number, timeoutMs: number, interruption?: Interruption): Promise<void> {
    if (this.applied >= index) return Promise.resolve()
    if (this.currentState === 'dropped' || this.currentState === 'offline') {
      return Promise.reject(new FixtureError('DatabaseUnavailable', `Database '${this.database}' is not running on ${this.member}`))
    }
    if (interruption?.interrupted === true) return Promise.reject(interrupted())
    return new Promise<void>((resolve, reject) => {
      let unsubscribe = (): void => {}
      const waiter: Waiter = {
        index,
        resolve: () => { unsubscribe(); resolve() },
        reject: (error) => { unsubscribe(); reject(error) },
        timer: null
      }
      waiter.timer = this.options.scheduler.setTimeout(() => {
        this.waiters.delete(waiter)
        unsubscribe()
        reject(new FixtureError('BookmarkTimeout',
          `Database '${this.database}' on ${this.member} has not caught up with the bookmark within ${Math.round(timeoutMs)} ms ` +
          `(applied up to ${this.applied}, bookmark needs ${index}). Retry, or raise bookmarkWaitTimeoutMs.`))
      }, timeoutMs)
      this.waiters.add(waiter)
      if (interruption !== undefined) {
        unsubscribe = interruption.onInterrupt(() => {
          if (!this.waiters.delete(waiter)) return
          this.options.scheduler.clearTimeout(waiter.timer)
          reject(interrupted())
        })
      }
    })
  }

  /** Waits (bounded) until this leader has committed its term's no-op and applied everything; else NotALeader. */
  waitUntilWritable (timeoutMs: number): Promise<void> {
    if (this.isWritable) return Promise.resolve()
    if (!this.raft.isLeader) return Promise.reject(this.notLeaderError('not the leader'))
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.options.scheduler.clearTimeout(timer)
        unsubscribe()
      }
      const check = (): void => {
        if (this.isWritable) { done(); resolve() } else if (!this.raft.isLeader) { done(); reject(this.notLeaderError('leadership lost')) }
      }
      const timer = this.options.scheduler.setTimeout(() => { unsubscribe(); reject(this.notLeaderError('the new leader is not ready yet')) }, timeoutMs)
      const unsubscribe = this.onStateChange(check)
    })
  }

  notLeaderError (why: string): FixtureError {
    const leader = this.raft.leaderId
    return new FixtureError('NotALeader',
      `No write operations are allowed directly on this database. Writes must pass through the leader. ` +
      `The role of this server (${this.member}) for database '${this.database}' is ` +
      `${this.raft.isLeader ? 'LEADER' : 'FOLLOWER'}` + (leader !== null && leader !== this.member ? `; the leader is ${leader}` : '') +
      ` (${why}). The transaction was not committed.`)
  }

  private onCommit (commitIndex: number): void {
    if (this.lag <= 0 || this.raft.isLeader) {
      this.applyUpTo(commitIndex)
      return
    }
    this.lagged.push({ upTo: commitIndex, seenAt: this.options.scheduler.now() })
    this.scheduleLagged()
  }

  private scheduleLagged (): void {
    this.options.scheduler.clearTimeout(this.lagTimer)
    this.lagTimer = null
    const now = this.options.scheduler.now()
    while (this.lagged.length > 0 && (this.lag <= 0 || this.lagged[0].seenAt + this.lag <= now)) {
      this.applyUpTo(this.lagged.shift()!.upTo)
    }
    if (this.lagged.length === 0) return
    this.lagTimer = this.options.scheduler.setTimeout(() => this.scheduleLagged(), this.lagged[0].seenAt + this.lag - now)
  }

  private onStatus (status: RaftStatus): void {
    if (status.role === 'leader') {
      // A lagging copy that becomes leader must apply everything before it writes.
      this.lagged.length = 0
      this.applyUpTo(this.raft.commitIndex)
    } else {
      this.writeLock.revokeAll(this.notLeaderError(status.role === 'stopped' ? 'this member stopped' : 'leadership lost'))
    }
    this.emit()
  }

  private applyUpTo (commitIndex: number): void {
    const target = Math.min(commitIndex, this.raft.commitIndex)
    while (this.applied < target) {
      const index = this.applied + 1
      const entry: LogEntry<C> | undefined = this.raft.log.entry(index)
      if (entry === undefined) break
      if (entry.kind === 'command') {
        try {
          this.options.apply(entry.command, index)
        } catch (error) {
          // Applying is deterministic: every copy fails the same way, so skipping keeps them equal.
          debug('%s on %s: applying entry %d failed: %O', this.group, this.member, index, error)
        }
      }
      this.applied = index
    }
    if (this.currentState === 'starting' && this.catchUpDone()) this.currentState = 'online'
    for (const waiter of this.waiters) {
      if (waiter.index <= this.applied) {
        this.waiters.delete(waiter)
        this.options.scheduler.clearTimeout(waiter.timer)
        waiter.resolve()
      }
    }
    this.emit()
  }

  /**
   * A joining copy is online once it has applied what the leader had committed
   * when it first heard from it, and, for a primary, once it votes (so
   * "online" in SHOW DATABASES means the move is complete on the Raft side).
   */
  private catchUpDone (): boolean {
    if (!this.options.joining) return true
    if (this.catchUpTarget === null || this.applied < this.catchUpTarget) return false
    return this.role === 'secondary' || isVoter(this.raft.membership, this.member)
  }

  private failWaiters (error: FixtureError): void {
    for (const waiter of this.waiters) {
      this.options.scheduler.clearTimeout(waiter.timer)
      waiter.reject(error)
    }
    this.waiters.clear()
  }

  private emit (): void {
    for (const listener of this.stateListeners) {
      try { listener() } catch (error) { debug('state listener failed: %O', error) }
    }
  }
}
