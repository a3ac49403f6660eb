// One member of one Raft group (Ongaro & Ousterhout, "In Search of an
// Understandable Consensus Algorithm", and Ongaro's dissertation for PreVote,
// check-quorum and single-server membership changes).
//
// Pure apart from what is injected: time and timers (Scheduler), randomness,
// and the network (Transport). Persistent state (term, vote, log) lives in
// this object, so `stop()` then `start()` behaves like a process restart with
// its disk intact. The commit index is kept too: the copy of the database
// built from committed entries survives a restart, like a store on disk.
//
// One file on purpose (~580 lines): elections, replication and membership are
// transitions of one state machine over shared private state; split apart they
// would need that state exposed, which is how Raft implementations go wrong.

import createDebug from 'debug'
import { CommitOutcomeUnknownError, MembershipChangeError, NotLeaderError } from './errors.js'
import { RaftLog } from './log.js'
import { countVoters, isVoter, majorityOf, peersOf, validateSingleServerChange } from './membership.js'
import type {
  AppendEntriesReply, AppendEntriesRequest, EntryPayload, LogEntry, Membership, PreVoteReply,
  PreVoteRequest, RaftMessage, VoteReply, VoteRequest
} from './messages.js'
import type { Transport } from './network.js'
import { randomBetween, type RandomSource } from './random.js'
import type { Scheduler, TimerHandle } from './scheduler.js'

const log = createDebug('neo4j-cluster:fixture:raft')

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

interface PendingProposal {
  term: number
  resolve: (index: number) => void
  reject: (error: Error) => void
}

/** Volatile state a leader keeps for its current term only. */
interface LeaderState {
  nextIndex: Map<string, number>
  matchIndex: Map<string, number>
  /** Scheduler time of the last reply from each peer, for check-quorum. */
  lastReply: Map<string, number>
  /** Highest index that left this member in some AppendEntries of this term. */
  highestSentIndex: number
  /** Log length at election: entries up to here are not this term's proposals. */
  inheritedIndex: number
  /** Index of this term's no-op; the leader is "ready" once it is committed. */
  noopIndex: number
}

export class RaftNode<C> {
  readonly id: string
  readonly log: RaftLog<C>
  private currentTerm = 0
  private votedFor: string | null = null
  private commit = 0
  private currentRole: RaftRole = 'stopped'
  private currentLeader: string | null = null
  private lastLeaderContact = Number.NEGATIVE_INFINITY
  private electionTimer: TimerHandle | null = null
  private heartbeatTimer: TimerHandle | null = null
  private votes = new Set<string>()
  private leader: LeaderState | null = null
  private readonly pending = new Map<number, PendingProposal>()
  private readonly commitListeners = new Set<(commitIndex: number) => void>()
  private readonly statusListeners = new Set<(status: RaftStatus) => void>()
  private readonly transport: Transport<RaftMessage<C>>
  private readonly scheduler: Scheduler
  private readonly random: RandomSource
  private readonly electionTimeout: readonly [number, number]
  private readonly heartbeatMs: number
  private readonly maxEntries: number
  private readonly label: string

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

  get role (): RaftRole { return this.currentRole }
  get term (): number { return this.currentTerm }
  get leaderId (): string | null { return this.currentLeader }
  get commitIndex (): number { return this.commit }
  get lastIndex (): number { return this.log.lastIndex }
  get membership (): Membership { return this.log.membership }
  get isLeader (): boolean { return this.currentRole === 'leader' }
  get status (): RaftStatus { return { role: this.currentRole, term: this.currentTerm, leaderId: this.currentLeader } }

  /** A leader is ready for new work once the no-op of its term is committed (so it knows every committed entry). */
  get isReadyLeader (): boolean {
    return this.leader !== null && this.commit >= this.leader.noopIndex
  }

  /** Replication progress of a peer, as the leader knows it (0 when not the leader). */
  matchIndexOf (peer: string): number {
    if (peer === this.id) return this.log.lastIndex
    return this.leader?.matchIndex.get(peer) ?? 0
  }

  /** Called synchronously, in order, every time the commit index advances. */
  onCommit (listener: (commitIndex: number) => void): () => void {
    this.commitListeners.add(listener)
    return () => this.commitListeners.delete(listener)
  }

  /** Called on every change of role, term or known leader. */
  onStatus (listener: (status: RaftStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /**
   * Starts (or restarts) as a follower. `firstElectionDelayMs` overrides the
   * first randomized timeout, e.g. 0 for the member meant to lead a new group.
   */
  start (firstElectionDelayMs?: number): void {
    if (this.currentRole !== 'stopped') return
    this.currentRole = 'follower'
    this.currentLeader = null
    this.lastLeaderContact = Number.NEGATIVE_INFINITY
    this.resetElectionTimer(firstElectionDelayMs)
    this.emitStatus()
  }

  /** Like a crash: timers cancelled, messages ignored, proposals in flight rejected. Persistent state stays. */
  stop (): void {
    if (this.currentRole === 'stopped') return
    this.abandonLeadership('this member stopped')
    this.clearTimers()
    this.currentRole = 'stopped'
    this.currentLeader = null
    this.emitStatus()
  }

  /** Gives up leadership (the group elects again); used when a commit takes too long. */
  stepDown (): void {
    if (this.currentRole === 'leader') this.becomeFollower(this.currentTerm, null)
  }

  /** Appends a command; resolves with its index once committed by a majority of voters. */
  propose (command: C): Promise<number> {
    return this.appendAsLeader({ kind: 'command', command })
  }

  /**
   * Proposes a new membership: at most one voter added or removed, only once
   * this term's no-op and any earlier change are committed (the guard that
   * makes single-server changes safe across leader changes).
   */
  changeMembership (next: Membership): Promise<number> {
    if (this.leader === null) return Promise.reject(this.notLeader('membership change refused'))
    if (!this.isReadyLeader) {
      return Promise.reject(new MembershipChangeError('the leader has not committed an entry of its term yet'))
    }
    if (this.log.membershipEntryIndex > this.commit) {
      return Promise.reject(new MembershipChangeError('an earlier membership change is not committed yet'))
    }
    try {
      validateSingleServerChange(this.log.membership, next)
    } catch (error) {
      return Promise.reject(error)
    }
    const membership: Membership = { voters: [...next.voters], learners: [...next.learners] }
    const leader = this.leader
    for (const peer of peersOf(membership, this.id)) {
      if (!leader.nextIndex.has(peer)) {
        leader.nextIndex.set(peer, this.log.lastIndex + 1)
        leader.matchIndex.set(peer, 0)
        leader.lastReply.set(peer, this.scheduler.now())
      }
    }
    return this.appendAsLeader({ kind: 'membership', membership })
  }

  /** Entry point for the network. */
  receive (from: string, message: RaftMessage<C>): void {
    if (this.currentRole === 'stopped') return
    switch (message.type) {
      case 'preVote': return this.onPreVote(from, message)
      case 'preVoteReply': return this.onPreVoteReply(from, message)
      case 'requestVote': return this.onRequestVote(from, message)
      case 'requestVoteReply': return this.onVoteReply(from, message)
      case 'appendEntries': return this.onAppendEntries(from, message)
      case 'appendEntriesReply': return this.onAppendEntriesReply(from, message)
    }
  }

  // ---- elections -------------------------------------------------------

  private resetElectionTimer (delayMs?: number): void {
    this.scheduler.clearTimeout(this.electionTimer)
    this.electionTimer = null
    if (this.currentRole === 'stopped' || this.currentRole === 'leader' || !this.mayCampaign()) return
    const [min, max] = this.electionTimeout
    const timeout = delayMs ?? randomBetween(this.random, min, max)
    this.electionTimer = this.scheduler.setTimeout(() => this.onElectionTimeout(), timeout)
  }

  /**
   * Learners and removed members never campaign, with one exception: a voter
   * whose log removes it in a change that may not have committed yet still
   * campaigns. Otherwise, if it holds the only copy of that change, nobody can
   * win an election (the others still need its vote, and it refuses members
   * whose log lacks the change). Votes are still counted in its newest
   * membership, as Raft requires, so this is safe.
   */
  private mayCampaign (): boolean {
    if (isVoter(this.log.membership, this.id)) return true
    return this.log.membershipEntryIndex > this.commit && isVoter(this.log.priorMembership, this.id)
  }

  private onElectionTimeout (): void {
    this.electionTimer = null
    if (this.currentRole === 'stopped' || this.currentRole === 'leader') return
    // PreVote (dissertation §9.6): ask first whether we could win, without
    // touching anyone's term, so a member cut off from the leader cannot
    // depose it when it comes back.
    this.currentRole = 'preCandidate'
    this.currentLeader = null
    this.votes = new Set([this.id])
    this.emitStatus()
    this.resetElectionTimer()
    if (this.hasMajority(this.votes)) return this.becomeCandidate()
    const request: PreVoteRequest = {
      type: 'preVote', term: this.currentTerm + 1, lastLogIndex: this.log.lastIndex, lastLogTerm: this.log.lastTerm
    }
    for (const peer of this.log.membership.voters) if (peer !== this.id) this.transport.send(peer, request)
  }

  private onPreVote (from: string, request: PreVoteRequest): void {
    const granted = request.term > this.currentTerm &&
      this.currentRole !== 'leader' &&
      !this.heardFromLeaderRecently() &&
      this.log.isUpToDate(request.lastLogIndex, request.lastLogTerm)
    const reply: PreVoteReply = { type: 'preVoteReply', term: request.term, granted, voterTerm: this.currentTerm }
    this.transport.send(from, reply)
  }

  private onPreVoteReply (from: string, reply: PreVoteReply): void {
    if (!reply.granted && reply.voterTerm > this.currentTerm) {
      // We are behind in terms: catch up so our next attempt can succeed.
      this.becomeFollower(reply.voterTerm, null)
      return
    }
    if (this.currentRole !== 'preCandidate' || reply.term !== this.currentTerm + 1 || !reply.granted) return
    this.votes.add(from)
    if (this.hasMajority(this.votes)) this.becomeCandidate()
  }

  private becomeCandidate (): void {
    this.currentTerm++
    this.votedFor = this.id
    this.currentRole = 'candidate'
    this.currentLeader = null
    this.votes = new Set([this.id])
    this.emitStatus()
    this.resetElectionTimer()
    log('%s %s: candidate in term %d', this.label, this.id, this.currentTerm)
    if (this.hasMajority(this.votes)) return this.becomeLeader()
    const request: VoteRequest = {
      type: 'requestVote', term: this.currentTerm, lastLogIndex: this.log.lastIndex, lastLogTerm: this.log.lastTerm
    }
    for (const peer of this.log.membership.voters) if (peer !== this.id) this.transport.send(peer, request)
  }

  private onRequestVote (from: string, request: VoteRequest): void {
    // Leader stickiness: while we hear from a live leader, a higher term does not
    // unseat it (PreVote makes such requests rare; this covers the rest).
    if (request.term > this.currentTerm && (this.currentRole === 'leader' || this.heardFromLeaderRecently())) {
      this.transport.send(from, { type: 'requestVoteReply', term: this.currentTerm, granted: false } satisfies VoteReply)
      return
    }
    if (request.term > this.currentTerm) this.becomeFollower(request.term, null)
    const granted = request.term === this.currentTerm &&
      (this.votedFor === null || this.votedFor === from) &&
      this.log.isUpToDate(request.lastLogIndex, request.lastLogTerm)
    if (granted) {
      this.votedFor = from
      this.resetElectionTimer()
    }
    this.transport.send(from, { type: 'requestVoteReply', term: this.currentTerm, granted } satisfies VoteReply)
  }

  private onVoteReply (from: string, reply: VoteReply): void {
    if (reply.term > this.currentTerm) return this.becomeFollower(reply.term, null)
    if (this.currentRole !== 'candidate' || reply.term !== this.currentTerm || !reply.granted) return
    this.votes.add(from)
    if (this.hasMajority(this.votes)) this.becomeLeader()
  }

  private hasMajority (ids: Set<string>): boolean {
    return countVoters(this.log.membership, ids) >= majorityOf(this.log.membership)
  }

  private heardFromLeaderRecently (): boolean {
    return this.scheduler.now() - this.lastLeaderContact < this.electionTimeout[0]
  }

  // ---- role changes ----------------------------------------------------

  private becomeLeader (): void {
    this.scheduler.clearTimeout(this.electionTimer)
    this.electionTimer = null
    this.currentRole = 'leader'
    this.currentLeader = this.id
    const now = this.scheduler.now()
    const leader: LeaderState = {
      nextIndex: new Map(),
      matchIndex: new Map(),
      lastReply: new Map(),
      highestSentIndex: this.log.lastIndex,
      inheritedIndex: this.log.lastIndex,
      noopIndex: this.log.lastIndex + 1
    }
    for (const peer of peersOf(this.log.membership, this.id)) {
      leader.nextIndex.set(peer, this.log.lastIndex + 1)
      leader.matchIndex.set(peer, 0)
      leader.lastReply.set(peer, now)
    }
    this.leader = leader
    log('%s %s: leader in term %d', this.label, this.id, this.currentTerm)
    this.log.append({ index: this.log.lastIndex + 1, term: this.currentTerm, kind: 'noop' })
    this.emitStatus()
    this.broadcastAppend()
    this.advanceCommit()
    this.scheduleHeartbeat()
  }

  private becomeFollower (term: number, leaderId: string | null): void {
    const wasLeader = this.currentRole === 'leader'
    if (wasLeader) this.abandonLeadership(`leadership lost in term ${this.currentTerm}`)
    const changed = term !== this.currentTerm || this.currentRole !== 'follower' || leaderId !== this.currentLeader
    if (term > this.currentTerm) {
      this.currentTerm = term
      this.votedFor = null
    }
    this.currentRole = 'follower'
    this.currentLeader = leaderId
    this.resetElectionTimer()
    if (changed) this.emitStatus()
  }

  /**
   * Ends this term's leadership. Proposals whose entries never left this
   * member are removed from the log (no other member has them, so they cannot
   * have committed and never will): NotLeaderError. Proposals that did leave
   * may still commit under a later leader: CommitOutcomeUnknownError.
   */
  private abandonLeadership (reason: string): void {
    const leader = this.leader
    if (leader === null) return
    this.leader = null
    this.scheduler.clearTimeout(this.heartbeatTimer)
    this.heartbeatTimer = null
    const keepUpTo = Math.max(this.commit, leader.highestSentIndex, leader.inheritedIndex)
    if (this.log.lastIndex > keepUpTo) this.log.truncateFrom(keepUpTo + 1)
    for (const [index, proposal] of this.pending) {
      if (index > keepUpTo) {
        proposal.reject(new NotLeaderError(`${reason} before the entry was replicated; it was not committed`, null))
      } else {
        proposal.reject(new CommitOutcomeUnknownError(
          `${reason} after the entry was sent to other members; it may or may not commit`))
      }
    }
    this.pending.clear()
    log('%s %s: stepped down (%s)', this.label, this.id, reason)
  }

  // ---- replication -----------------------------------------------------

  private appendAsLeader (payload: EntryPayload<C>): Promise<number> {
    if (this.currentRole !== 'leader') return Promise.reject(this.notLeader('not the leader'))
    const entry = { ...payload, index: this.log.lastIndex + 1, term: this.currentTerm } as LogEntry<C>
    this.log.append(entry)
    const result = new Promise<number>((resolve, reject) => {
      this.pending.set(entry.index, { term: entry.term, resolve, reject })
    })
    this.broadcastAppend()
    this.advanceCommit()
    return result
  }

  private notLeader (what: string): NotLeaderError {
    return new NotLeaderError(
      `${what}: ${this.id} is ${this.currentRole === 'leader' ? 'the leader' : `a ${this.currentRole}`}` +
      (this.currentLeader !== null ? ` (leader: ${this.currentLeader})` : ' (no known leader)'),
      this.currentLeader)
  }

  private scheduleHeartbeat (): void {
    this.heartbeatTimer = this.scheduler.setTimeout(() => {
      this.heartbeatTimer = null
      if (this.currentRole !== 'leader') return
      if (!this.checkQuorum()) return
      this.broadcastAppend()
      this.scheduleHeartbeat()
    }, this.heartbeatMs)
  }

  /** A leader that has not heard from a majority within an election timeout steps down. */
  private checkQuorum (): boolean {
    const leader = this.leader
    if (leader === null) return false
    const now = this.scheduler.now()
    const window = this.electionTimeout[1]
    const alive = new Set([this.id])
    for (const [peer, at] of leader.lastReply) if (now - at < window) alive.add(peer)
    if (this.hasMajority(alive)) return true
    this.becomeFollower(this.currentTerm, null)
    return false
  }

  private broadcastAppend (): void {
    for (const peer of peersOf(this.log.membership, this.id)) this.sendAppend(peer)
  }

  private sendAppend (peer: string): void {
    const leader = this.leader
    if (leader === null) return
    const next = Math.min(leader.nextIndex.get(peer) ?? this.log.lastIndex + 1, this.log.lastIndex + 1)
    const prevLogIndex = next - 1
    const entries = this.log.slice(next, Math.min(this.log.lastIndex, next + this.maxEntries - 1))
    const request: AppendEntriesRequest<C> = {
      type: 'appendEntries',
      term: this.currentTerm,
      prevLogIndex,
      prevLogTerm: this.log.termAt(prevLogIndex) ?? 0,
      entries,
      leaderCommit: this.commit
    }
    const left = this.transport.send(peer, request)
    if (left && entries.length > 0) {
      leader.highestSentIndex = Math.max(leader.highestSentIndex, entries[entries.length - 1].index)
    }
  }

  private onAppendEntries (from: string, request: AppendEntriesRequest<C>): void {
    if (request.term < this.currentTerm) {
      this.reply(from, false, 0, 0)
      return
    }
    if (this.currentRole === 'leader' && request.term === this.currentTerm) {
      throw new Error(`Raft safety violated: two leaders (${this.id}, ${from}) in term ${this.currentTerm}`)
    }
    if (request.term > this.currentTerm || this.currentRole !== 'follower' || this.currentLeader !== from) {
      this.becomeFollower(request.term, from)
    } else {
      this.resetElectionTimer()
    }
    this.lastLeaderContact = this.scheduler.now()

    if (request.prevLogIndex > this.log.lastIndex) {
      this.reply(from, false, 0, this.log.lastIndex + 1)
      return
    }
    if (this.log.termAt(request.prevLogIndex) !== request.prevLogTerm) {
      this.reply(from, false, 0, Math.max(this.commit + 1, this.log.firstIndexOfTerm(request.prevLogIndex)))
      return
    }
    const membershipBefore = this.log.membershipEntryIndex
    for (const entry of request.entries) {
      const existing = this.log.termAt(entry.index)
      if (existing === entry.term) continue
      if (existing !== undefined) {
        if (entry.index <= this.commit) throw new Error(`Raft safety violated: ${this.id} asked to overwrite committed entry ${entry.index}`)
        this.log.truncateFrom(entry.index)
      }
      this.log.append(entry)
    }
    const lastNew = request.prevLogIndex + request.entries.length
    if (this.log.membershipEntryIndex !== membershipBefore) this.resetElectionTimer()
    this.setCommitIndex(Math.min(request.leaderCommit, lastNew))
    this.reply(from, true, lastNew, 0)
  }

  private reply (to: string, success: boolean, matchIndex: number, conflictIndex: number): void {
    const reply: AppendEntriesReply = { type: 'appendEntriesReply', term: this.currentTerm, success, matchIndex, conflictIndex }
    this.transport.send(to, reply)
  }

  private onAppendEntriesReply (from: string, reply: AppendEntriesReply): void {
    if (reply.term > this.currentTerm) return this.becomeFollower(reply.term, null)
    const leader = this.leader
    if (leader === null || reply.term !== this.currentTerm) return
    leader.lastReply.set(from, this.scheduler.now())
    const match = leader.matchIndex.get(from) ?? 0
    const next = leader.nextIndex.get(from) ?? this.log.lastIndex + 1
    if (reply.success) {
      if (reply.matchIndex > match) leader.matchIndex.set(from, reply.matchIndex)
      const newNext = Math.max(next, reply.matchIndex + 1)
      leader.nextIndex.set(from, newNext)
      this.advanceCommit()
      if (this.leader !== null && newNext <= this.log.lastIndex && newNext > next) this.sendAppend(from)
    } else if (reply.conflictIndex < next) {
      // A failure for an older probe than our current one is stale: ignore it.
      leader.nextIndex.set(from, Math.max(match + 1, reply.conflictIndex, 1))
      this.sendAppend(from)
    }
  }

  /** Raft §5.4.2: only an entry of the current term is committed by counting replicas. */
  private advanceCommit (): void {
    const leader = this.leader
    if (leader === null) return
    const membership = this.log.membership
    const needed = majorityOf(membership)
    for (let index = this.log.lastIndex; index > this.commit; index--) {
      if (this.log.termAt(index) !== this.currentTerm) break
      let replicas = 0
      for (const voter of membership.voters) if (this.matchIndexOf(voter) >= index) replicas++
      if (replicas >= needed) {
        this.setCommitIndex(index)
        // Tell followers now rather than at the next heartbeat, so they apply
        // (and serve the write to readers) one message after the commit.
        if (this.leader !== null) this.broadcastAppend()
        break
      }
    }
  }

  private setCommitIndex (index: number): void {
    if (index <= this.commit) return
    this.commit = index
    for (const listener of this.commitListeners) {
      try {
        listener(index)
      } catch (error) {
        log('%s %s: commit listener failed: %O', this.label, this.id, error)
      }
    }
    for (const [proposed, proposal] of this.pending) {
      if (proposed > index) continue
      this.pending.delete(proposed)
      if (this.log.termAt(proposed) === proposal.term) proposal.resolve(proposed)
      else proposal.reject(new CommitOutcomeUnknownError('the entry was replaced before commit'))
    }
    // A leader removed by a committed membership change hands over (dissertation §4.2.2).
    if (this.currentRole === 'leader' && !isVoter(this.log.membership, this.id) &&
      this.log.membershipEntryIndex <= this.commit) {
      this.becomeFollower(this.currentTerm, null)
    }
  }

  private clearTimers (): void {
    this.scheduler.clearTimeout(this.electionTimer)
    this.scheduler.clearTimeout(this.heartbeatTimer)
    this.electionTimer = null
    this.heartbeatTimer = null
  }

  private emitStatus (): void {
    const status = this.status
    for (const listener of this.statusListeners) {
      try {
        listener(status)
      } catch (error) {
        log('%s %s: status listener failed: %O', this.label, this.id, error)
      }
    }
  }
}
