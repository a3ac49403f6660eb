// How a member becomes leader: the randomized election timer, PreVote
// (dissertation §9.6), RequestVote (Raft §5.2, with the §5.4.1 up-to-date
// check) and the votes of the campaign in progress. Winning hands over to
// RaftNode.becomeLeader; a newer term seen on the way, to becomeFollower.

import { hasMajority } from './membership.js'
import { mayCampaign } from './membership-change.js'
import type { PreVoteReply, PreVoteRequest, VoteReply, VoteRequest } from './messages.js'
import { randomBetween } from './random.js'
import type { TimerHandle } from './scheduler.js'
import { raftDebug, type RaftState, type RoleTransitions } from './state.js'

export class Election<C> {
  private timer: TimerHandle | null = null
  /** Who granted this member's PreVote or vote in the campaign under way (itself included). */
  private votes = new Set<string>()

  constructor (private readonly state: RaftState<C>, private readonly roles: RoleTransitions) {}

  /**
   * Restarts the countdown to the next campaign: a fresh randomized timeout,
   * or `delayMs` (e.g. 0 for the member meant to lead a new group). None for a
   * leader, a stopped member or one that may not campaign.
   */
  resetTimer (delayMs?: number): void {
    this.cancelTimer()
    const role = this.state.role
    if (role === 'stopped' || role === 'leader' || !mayCampaign(this.state)) return
    const [min, max] = this.state.electionTimeout
    const timeout = delayMs ?? randomBetween(this.state.random, min, max)
    this.timer = this.state.scheduler.setTimeout(() => this.onTimeout(), timeout)
  }

  cancelTimer (): void {
    this.state.scheduler.clearTimeout(this.timer)
    this.timer = null
  }

  onPreVote (from: string, request: PreVoteRequest): void {
    const state = this.state
    const granted = request.term > state.term &&
      state.role !== 'leader' &&
      !state.heardFromLeaderRecently() &&
      state.log.isUpToDate(request.lastLogIndex, request.lastLogTerm)
    const reply: PreVoteReply = { type: 'preVoteReply', term: request.term, granted, voterTerm: state.term }
    state.transport.send(from, reply)
  }

  onPreVoteReply (from: string, reply: PreVoteReply): void {
    if (!reply.granted && reply.voterTerm > this.state.term) {
      // We are behind in terms: catch up so our next attempt can succeed.
      this.roles.becomeFollower(reply.voterTerm, null)
      return
    }
    if (this.state.role !== 'preCandidate' || reply.term !== this.state.term + 1 || !reply.granted) return
    this.votes.add(from)
    if (this.wonMajority()) this.becomeCandidate()
  }

  onRequestVote (from: string, request: VoteRequest): void {
    const state = this.state
    // Leader stickiness: while we hear from a live leader, a higher term does not
    // unseat it (PreVote makes such requests rare; this covers the rest).
    if (request.term > state.term && (state.role === 'leader' || state.heardFromLeaderRecently())) {
      state.transport.send(from, { type: 'requestVoteReply', term: state.term, granted: false } satisfies VoteReply)
      return
    }
    if (request.term > state.term) this.roles.becomeFollower(request.term, null)
    const granted = request.term === state.term &&
      (state.votedFor === null || state.votedFor === from) &&
      state.log.isUpToDate(request.lastLogIndex, request.lastLogTerm)
    if (granted) {
      state.recordVote(from)
      this.resetTimer()
    }
    state.transport.send(from, { type: 'requestVoteReply', term: state.term, granted } satisfies VoteReply)
  }

  onVoteReply (from: string, reply: VoteReply): void {
    if (reply.term > this.state.term) return this.roles.becomeFollower(reply.term, null)
    if (this.state.role !== 'candidate' || reply.term !== this.state.term || !reply.granted) return
    this.votes.add(from)
    if (this.wonMajority()) this.roles.becomeLeader()
  }

  private onTimeout (): void {
    this.timer = null
    const state = this.state
    if (state.role === 'stopped' || state.role === 'leader') return
    // PreVote (dissertation §9.6): ask first whether we could win, without
    // touching anyone's term, so a member cut off from the leader cannot
    // depose it when it comes back.
    state.setRole('preCandidate', null)
    this.votes = new Set([state.id])
    state.announceStatus()
    this.resetTimer()
    if (this.wonMajority()) return this.becomeCandidate()
    const request: PreVoteRequest = {
      type: 'preVote', term: state.term + 1, lastLogIndex: state.log.lastIndex, lastLogTerm: state.log.lastTerm
    }
    this.askVoters(request)
  }

  private becomeCandidate (): void {
    const state = this.state
    state.startNextTerm()
    state.setRole('candidate', null)
    this.votes = new Set([state.id])
    state.announceStatus()
    this.resetTimer()
    raftDebug('%s %s: candidate in term %d', state.label, state.id, state.term)
    if (this.wonMajority()) return this.roles.becomeLeader()
    const request: VoteRequest = {
      type: 'requestVote', term: state.term, lastLogIndex: state.log.lastIndex, lastLogTerm: state.log.lastTerm
    }
    this.askVoters(request)
  }

  /** Votes are counted in the newest membership this member knows, committed or not (Raft §6). */
  private wonMajority (): boolean {
    return hasMajority(this.state.log.membership, this.votes)
  }

  private askVoters (request: PreVoteRequest | VoteRequest): void {
    for (const peer of this.state.log.membership.voters) if (peer !== this.state.id) this.state.transport.send(peer, request)
  }
}
