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
// This class is the member's public face and the one place where its role
// changes: election.ts decides when to campaign and when it has won,
// replication.ts (leader) and follower.ts move the log, membership-change.ts
// holds the rules of a changing membership, proposals.ts answers the callers
// of propose(). They share state.ts; every role change goes through
// becomeLeader / becomeFollower / commitUpTo below, so its bookkeeping
// (timers, leader state, proposals, announcements) happens in one order.

import { Election } from './election.js'
import { Follower } from './follower.js'
import type { RaftLog } from './log.js'
import { peersOf } from './membership.js'
import { leaderRemovedByCommittedChange, membershipChangeRefusal } from './membership-change.js'
import type { EntryPayload, LogEntry, Membership, RaftMessage } from './messages.js'
import { PendingProposals } from './proposals.js'
import { Replication } from './replication.js'
import { raftDebug, RaftState, type RaftNodeOptions, type RaftRole, type RaftStatus } from './state.js'

export type { RaftNodeOptions, RaftRole, RaftStatus } from './state.js'

export class RaftNode<C> {
  readonly id: string
  readonly log: RaftLog<C>
  private readonly state: RaftState<C>
  private readonly election: Election<C>
  private readonly replication: Replication<C>
  private readonly follower: Follower<C>
  private readonly proposals = new PendingProposals()
  private readonly commitListeners = new Set<(commitIndex: number) => void>()

  constructor (options: RaftNodeOptions<C>) {
    this.state = new RaftState<C>(options)
    this.id = this.state.id
    this.log = this.state.log
    const roles = {
      becomeFollower: (term: number, leaderId: string | null) => this.becomeFollower(term, leaderId),
      becomeLeader: () => this.becomeLeader(),
      commitUpTo: (index: number) => this.commitUpTo(index)
    }
    this.election = new Election(this.state, roles)
    this.replication = new Replication(this.state, roles)
    this.follower = new Follower(this.state, this.election, roles)
  }

  get role (): RaftRole { return this.state.role }
  get term (): number { return this.state.term }
  get leaderId (): string | null { return this.state.leaderId }
  get commitIndex (): number { return this.state.commitIndex }
  get lastIndex (): number { return this.log.lastIndex }
  get membership (): Membership { return this.log.membership }
  get isLeader (): boolean { return this.state.role === 'leader' }
  get status (): RaftStatus { return this.state.status }

  /** A leader is ready for new work once the no-op of its term is committed (so it knows every committed entry). */
  get isReadyLeader (): boolean {
    return this.replication.isReady
  }

  /** Replication progress of a peer, as the leader knows it (0 when not the leader). */
  matchIndexOf (peer: string): number {
    return this.replication.matchIndexOf(peer)
  }

  /** Called synchronously, in order, every time the commit index advances. */
  onCommit (listener: (commitIndex: number) => void): () => void {
    this.commitListeners.add(listener)
    return () => this.commitListeners.delete(listener)
  }

  /** Called on every change of role, term or known leader. */
  onStatus (listener: (status: RaftStatus) => void): () => void {
    return this.state.onStatus(listener)
  }

  /**
   * Starts (or restarts) as a follower. `firstElectionDelayMs` overrides the
   * first randomized timeout, e.g. 0 for the member meant to lead a new group.
   */
  start (firstElectionDelayMs?: number): void {
    if (this.state.role !== 'stopped') return
    this.state.setRole('follower', null)
    this.state.forgetLeaderContact()
    this.election.resetTimer(firstElectionDelayMs)
    this.state.announceStatus()
  }

  /** Like a crash: timers cancelled, messages ignored, proposals in flight rejected. Persistent state stays. */
  stop (): void {
    if (this.state.role === 'stopped') return
    this.abandonLeadership('this member stopped')
    this.election.cancelTimer()
    this.replication.stopHeartbeat()
    this.state.setRole('stopped', null)
    this.state.announceStatus()
  }

  /** Gives up leadership (the group elects again); used when a commit takes too long. */
  stepDown (): void {
    if (this.state.role === 'leader') this.becomeFollower(this.state.term, null)
  }

  /** Appends a command; resolves with its index once committed by a majority of voters. */
  propose (command: C): Promise<number> {
    return this.appendAsLeader({ kind: 'command', command })
  }

  /**
   * Proposes a new membership: at most one voter added or removed, only once
   * this term's no-op and any earlier change are committed (see
   * membership-change.ts). New members start receiving the log at once.
   */
  changeMembership (next: Membership): Promise<number> {
    if (!this.replication.isLeading) return Promise.reject(this.state.notLeader('membership change refused'))
    const refusal = membershipChangeRefusal(this.state, this.isReadyLeader, next)
    if (refusal !== null) return Promise.reject(refusal)
    const membership: Membership = { voters: [...next.voters], learners: [...next.learners] }
    this.replication.track(peersOf(membership, this.id))
    return this.appendAsLeader({ kind: 'membership', membership })
  }

  /** Entry point for the network. */
  receive (from: string, message: RaftMessage<C>): void {
    if (this.state.role === 'stopped') return
    switch (message.type) {
      case 'preVote': return this.election.onPreVote(from, message)
      case 'preVoteReply': return this.election.onPreVoteReply(from, message)
      case 'requestVote': return this.election.onRequestVote(from, message)
      case 'requestVoteReply': return this.election.onVoteReply(from, message)
      case 'appendEntries': return this.follower.onAppendEntries(from, message)
      case 'appendEntriesReply': return this.replication.onAppendEntriesReply(from, message)
    }
  }

  private appendAsLeader (payload: EntryPayload<C>): Promise<number> {
    if (this.state.role !== 'leader') return Promise.reject(this.state.notLeader('not the leader'))
    const entry = { ...payload, index: this.log.lastIndex + 1, term: this.state.term } as LogEntry<C>
    this.log.append(entry)
    const result = this.proposals.add(entry.index, entry.term)
    this.replication.broadcast()
    this.replication.advanceCommit()
    return result
  }

  // ---- role changes ----------------------------------------------------

  private becomeLeader (): void {
    this.election.cancelTimer()
    this.state.setRole('leader', this.id)
    this.replication.lead()
    raftDebug('%s %s: leader in term %d', this.state.label, this.id, this.state.term)
    this.state.announceStatus()
    this.replication.broadcast()
    this.replication.advanceCommit()
    this.replication.startHeartbeat()
  }

  private becomeFollower (term: number, leaderId: string | null): void {
    const state = this.state
    if (state.role === 'leader') this.abandonLeadership(`leadership lost in term ${state.term}`)
    const changed = term !== state.term || state.role !== 'follower' || leaderId !== state.leaderId
    state.adoptTerm(term)
    state.setRole('follower', leaderId)
    this.election.resetTimer()
    if (changed) state.announceStatus()
  }

  /**
   * Ends this term's leadership. Proposals whose entries never left this
   * member are removed from the log (no other member has them, so they cannot
   * have committed and never will): NotLeaderError. Proposals that did leave
   * may still commit under a later leader: CommitOutcomeUnknownError.
   */
  private abandonLeadership (reason: string): void {
    const shared = this.replication.end()
    if (shared === null) return
    const keepUpTo = Math.max(this.state.commitIndex, shared)
    if (this.log.lastIndex > keepUpTo) this.log.truncateFrom(keepUpTo + 1)
    this.proposals.abandon(keepUpTo, reason)
    raftDebug('%s %s: stepped down (%s)', this.state.label, this.id, reason)
  }

  private commitUpTo (index: number): void {
    if (!this.state.raiseCommitIndex(index)) return
    for (const listener of this.commitListeners) {
      try {
        listener(index)
      } catch (error) {
        raftDebug('%s %s: commit listener failed: %O', this.state.label, this.id, error)
      }
    }
    this.proposals.settleUpTo(index, (proposed) => this.log.termAt(proposed))
    if (leaderRemovedByCommittedChange(this.state)) this.becomeFollower(this.state.term, null)
  }
}
