// What every part of one Raft member reads: its persistent state (term, vote,
// log), the volatile state every role needs (role, known leader, commit index,
// last contact with a leader), and what is injected (network, clock,
// randomness, timings).
//
// Election, replication and membership changes live in their own modules and
// each keeps the state only it needs; this object is what they share. The
// fields are read-only from outside and change only through the methods below,
// each named after the Raft step it is, so the rules that must hold whoever
// makes the change live here once: a term never goes back, a vote belongs to
// one term, the commit index only grows.

import createDebug from 'debug'
import { NotLeaderError } from './errors.js'
import { RaftLog } from './log.js'
import type { Membership, RaftMessage } from './messages.js'
import type { Transport } from './network.js'
import type { RandomSource } from './random.js'
import type { Scheduler } from './scheduler.js'

/** One namespace for every part of a member, so `DEBUG=neo4j-cluster:fixture:raft` shows a member's whole story. */
export const raftDebug = createDebug('neo4j-cluster:fixture:raft')

export type RaftRole = 'follower' | 'preCandidate' | 'candidate' | 'leader' | 'stopped'

export interface RaftNodeOptions<C> {
  id: string
  /** Membership before any membership entry is in the log (a joining copy passes an empty one). */
  membership: Membership
  transport: Transport<RaftMessage<C>>
  scheduler: Scheduler
  random: RandomSource
  /** Randomized election timeout window, default [300, 600] ms. */
  electionTimeoutMs?: readonly [number, number]
  /** Leader heartbeat interval, default 100 ms. */
  heartbeatMs?: number
  /** Most entries in one AppendEntries message, default 256. */
  maxEntriesPerMessage?: number
  /** Name used in debug output, e.g. the database. */
  label?: string
}

export interface RaftStatus {
  role: RaftRole
  term: number
  leaderId: string | null
}

export class RaftState<C> {
  readonly id: string
  readonly log: RaftLog<C>
  readonly transport: Transport<RaftMessage<C>>
  readonly scheduler: Scheduler
  readonly random: RandomSource
  readonly electionTimeout: readonly [number, number]
  readonly heartbeatMs: number
  readonly maxEntries: number
  readonly label: string
  private currentTerm = 0
  private vote: string | null = null
  private commit = 0
  private currentRole: RaftRole = 'stopped'
  private currentLeader: string | null = null
  private lastLeaderContact = Number.NEGATIVE_INFINITY
  private readonly statusListeners = new Set<(status: RaftStatus) => void>()

  constructor (options: RaftNodeOptions<C>) {
    this.id = options.id
    this.log = new RaftLog<C>(options.membership)
    this.transport = options.transport
    this.scheduler = options.scheduler
    this.random = options.random
    this.electionTimeout = options.electionTimeoutMs ?? [300, 600]
    this.heartbeatMs = options.heartbeatMs ?? 100
    this.maxEntries = options.maxEntriesPerMessage ?? 256
    this.label = options.label ?? ''
    const [min, max] = this.electionTimeout
    if (!(min > 0 && max >= min)) throw new RangeError(`electionTimeoutMs must be [min, max] with 0 < min <= max, got [${min}, ${max}]`)
    if (!(this.heartbeatMs > 0 && this.heartbeatMs < min)) {
      throw new RangeError(`heartbeatMs must be > 0 and below the minimum election timeout (${min}), got ${this.heartbeatMs}`)
    }
  }

  get term (): number { return this.currentTerm }
  get votedFor (): string | null { return this.vote }
  get commitIndex (): number { return this.commit }
  get role (): RaftRole { return this.currentRole }
  get leaderId (): string | null { return this.currentLeader }
  get status (): RaftStatus { return { role: this.currentRole, term: this.currentTerm, leaderId: this.currentLeader } }

  /** A newer term seen anywhere is adopted, and the vote of the old one forgotten (Raft §5.1). */
  adoptTerm (term: number): void {
    if (term > this.currentTerm) {
      this.currentTerm = term
      this.vote = null
    }
  }

  /** A candidate opens the next term and votes for itself. */
  startNextTerm (): void {
    this.currentTerm++
    this.vote = this.id
  }

  /** The one vote of this term (callers check it is free or already this candidate's). */
  recordVote (candidate: string): void {
    this.vote = candidate
  }

  /** Sets role and known leader; callers announce the change when the whole step is done. */
  setRole (role: RaftRole, leaderId: string | null): void {
    this.currentRole = role
    this.currentLeader = leaderId
  }

  /** Raises the commit index; false (and nothing changes) when `index` is not above it. */
  raiseCommitIndex (index: number): boolean {
    if (index <= this.commit) return false
    this.commit = index
    return true
  }

  /** A current leader's AppendEntries arrived now. */
  heardFromLeader (): void {
    this.lastLeaderContact = this.scheduler.now()
  }

  /** A restarted member has heard from nobody yet. */
  forgetLeaderContact (): void {
    this.lastLeaderContact = Number.NEGATIVE_INFINITY
  }

  /** Within the minimum election timeout of a leader's last message: that leader is presumed alive. */
  heardFromLeaderRecently (): boolean {
    return this.scheduler.now() - this.lastLeaderContact < this.electionTimeout[0]
  }

  onStatus (listener: (status: RaftStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /** Tells the status listeners; a listener that throws is logged, never allowed to break the member. */
  announceStatus (): void {
    const status = this.status
    for (const listener of this.statusListeners) {
      try {
        listener(status)
      } catch (error) {
        raftDebug('%s %s: status listener failed: %O', this.label, this.id, error)
      }
    }
  }

  /** The refusal of a leader-only request, naming the leader when one is known (clients follow the hint). */
  notLeader (what: string): NotLeaderError {
    return new NotLeaderError(
      `${what}: ${this.id} is ${this.currentRole === 'leader' ? 'the leader' : `a ${this.currentRole}`}` +
      (this.currentLeader !== null ? ` (leader: ${this.currentLeader})` : ' (no known leader)'),
      this.currentLeader)
  }
}

/**
 * The steps that change a member's role, taken by RaftNode for whichever part
 * decides them, so that each step's bookkeeping (timers, leader state,
 * proposals, announcements) happens in one place and in one order.
 */
export interface RoleTransitions {
  /** A newer term, a leader heard from, or leadership given up: follow `leaderId` (null: not known yet). */
  becomeFollower: (term: number, leaderId: string | null) => void
  /** Votes of a majority won in the current term. */
  becomeLeader: () => void
  /** The commit index may move up to `index` (it never moves down). */
  commitUpTo: (index: number) => void
}
