// A leader's side of log replication (Raft §5.3, §5.4.2): what it knows of
// each peer's log, the AppendEntries it sends (batched, probing back on a
// mismatch), the commit index it derives from its voters' progress, and the
// heartbeat that keeps followers from campaigning and checks it still has a
// quorum. All of this lives only as long as one term's leadership.
// (follower.ts is the other end of AppendEntries.)

import { hasMajority, majorityOf, peersOf } from './membership.js'
import type { AppendEntriesReply, AppendEntriesRequest } from './messages.js'
import type { TimerHandle } from './scheduler.js'
import type { RaftState, RoleTransitions } from './state.js'

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

export class Replication<C> {
  private leader: LeaderState | null = null
  private heartbeatTimer: TimerHandle | null = null

  constructor (private readonly state: RaftState<C>, private readonly roles: RoleTransitions) {}

  get isLeading (): boolean {
    return this.leader !== null
  }

  /** A leader is ready for new work once the no-op of its term is committed (so it knows every committed entry). */
  get isReady (): boolean {
    return this.leader !== null && this.state.commitIndex >= this.leader.noopIndex
  }

  /** Replication progress of a peer, as the leader knows it (0 when not the leader). */
  matchIndexOf (peer: string): number {
    if (peer === this.state.id) return this.state.log.lastIndex
    return this.leader?.matchIndex.get(peer) ?? 0
  }

  /**
   * Starts this term's leadership: every peer is presumed to hold our whole
   * log and to have just answered, until it says otherwise; then the term's
   * no-op is appended, so entries of earlier terms can commit (§5.4.2).
   */
  lead (): void {
    const log = this.state.log
    const leader: LeaderState = {
      nextIndex: new Map(),
      matchIndex: new Map(),
      lastReply: new Map(),
      highestSentIndex: log.lastIndex,
      inheritedIndex: log.lastIndex,
      noopIndex: log.lastIndex + 1
    }
    this.leader = leader
    this.track(peersOf(log.membership, this.state.id))
    log.append({ index: log.lastIndex + 1, term: this.state.term, kind: 'noop' })
  }

  /** Starts replicating to `peers` not yet tracked (members a membership change brings in). */
  track (peers: readonly string[]): void {
    const leader = this.leader
    if (leader === null) return
    const now = this.state.scheduler.now()
    for (const peer of peers) {
      if (!leader.nextIndex.has(peer)) {
        leader.nextIndex.set(peer, this.state.log.lastIndex + 1)
        leader.matchIndex.set(peer, 0)
        leader.lastReply.set(peer, now)
      }
    }
  }

  /**
   * Ends this term's leadership. Returns the highest index that may be on
   * another member (inherited, or sent in this term): entries above it never
   * left this member. Null when it was not leading.
   */
  end (): number | null {
    const leader = this.leader
    if (leader === null) return null
    this.leader = null
    this.stopHeartbeat()
    return Math.max(leader.highestSentIndex, leader.inheritedIndex)
  }

  broadcast (): void {
    for (const peer of peersOf(this.state.log.membership, this.state.id)) this.sendAppend(peer)
  }

  startHeartbeat (): void {
    this.heartbeatTimer = this.state.scheduler.setTimeout(() => {
      this.heartbeatTimer = null
      if (this.state.role !== 'leader') return
      if (!this.checkQuorum()) return
      this.broadcast()
      this.startHeartbeat()
    }, this.state.heartbeatMs)
  }

  stopHeartbeat (): void {
    this.state.scheduler.clearTimeout(this.heartbeatTimer)
    this.heartbeatTimer = null
  }

  onAppendEntriesReply (from: string, reply: AppendEntriesReply): void {
    if (reply.term > this.state.term) return this.roles.becomeFollower(reply.term, null)
    const leader = this.leader
    if (leader === null || reply.term !== this.state.term) return
    leader.lastReply.set(from, this.state.scheduler.now())
    const match = leader.matchIndex.get(from) ?? 0
    const next = leader.nextIndex.get(from) ?? this.state.log.lastIndex + 1
    if (reply.success) {
      if (reply.matchIndex > match) leader.matchIndex.set(from, reply.matchIndex)
      const newNext = Math.max(next, reply.matchIndex + 1)
      leader.nextIndex.set(from, newNext)
      this.advanceCommit()
      if (this.leader !== null && newNext <= this.state.log.lastIndex && newNext > next) this.sendAppend(from)
    } else if (reply.conflictIndex < next) {
      // A failure for an older probe than our current one is stale: ignore it.
      leader.nextIndex.set(from, Math.max(match + 1, reply.conflictIndex, 1))
      this.sendAppend(from)
    }
  }

  /** Raft §5.4.2: only an entry of the current term is committed by counting replicas. */
  advanceCommit (): void {
    if (this.leader === null) return
    const { log, term } = this.state
    const membership = log.membership
    const needed = majorityOf(membership)
    for (let index = log.lastIndex; index > this.state.commitIndex; index--) {
      if (log.termAt(index) !== term) break
      let replicas = 0
      for (const voter of membership.voters) if (this.matchIndexOf(voter) >= index) replicas++
      if (replicas >= needed) {
        this.roles.commitUpTo(index)
        // Tell followers now rather than at the next heartbeat, so they apply
        // (and serve the write to readers) one message after the commit.
        if (this.leader !== null) this.broadcast()
        break
      }
    }
  }

  private sendAppend (peer: string): void {
    const leader = this.leader
    if (leader === null) return
    const log = this.state.log
    const next = Math.min(leader.nextIndex.get(peer) ?? log.lastIndex + 1, log.lastIndex + 1)
    const prevLogIndex = next - 1
    const entries = log.slice(next, Math.min(log.lastIndex, next + this.state.maxEntries - 1))
    const request: AppendEntriesRequest<C> = {
      type: 'appendEntries',
      term: this.state.term,
      prevLogIndex,
      prevLogTerm: log.termAt(prevLogIndex) ?? 0,
      entries,
      leaderCommit: this.state.commitIndex
    }
    const left = this.state.transport.send(peer, request)
    if (left && entries.length > 0) {
      leader.highestSentIndex = Math.max(leader.highestSentIndex, entries[entries.length - 1].index)
    }
  }

  /** A leader that has not heard from a majority within an election timeout steps down. */
  private checkQuorum (): boolean {
    const leader = this.leader
    if (leader === null) return false
    const now = this.state.scheduler.now()
    const window = this.state.electionTimeout[1]
    const alive = new Set([this.state.id])
    for (const [peer, at] of leader.lastReply) if (now - at < window) alive.add(peer)
    if (hasMajority(this.state.log.membership, alive)) return true
    this.roles.becomeFollower(this.state.term, null)
    return false
  }
}
