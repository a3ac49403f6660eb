// A follower's side of log replication (Raft §5.3): it takes AppendEntries
// from the leader of its term into its log, answers with how far its log now
// matches (or where the leader should probe back to), and follows the
// leader's commit index. Every accepted message also proves the leader alive,
// which restarts the election countdown. (replication.ts is the leader's side.)

import type { Election } from './election.js'
import type { AppendEntriesReply, AppendEntriesRequest } from './messages.js'
import type { RaftState, RoleTransitions } from './state.js'

export class Follower<C> {
  constructor (
    private readonly state: RaftState<C>,
    private readonly election: Election<C>,
    private readonly roles: RoleTransitions
  ) {}

  onAppendEntries (from: string, request: AppendEntriesRequest<C>): void {
    const state = this.state
    const log = state.log
    if (request.term < state.term) {
      this.reply(from, false, 0, 0)
      return
    }
    if (state.role === 'leader' && request.term === state.term) {
      throw new Error(`Raft safety violated: two leaders (${state.id}, ${from}) in term ${state.term}`)
    }
    if (request.term > state.term || state.role !== 'follower' || state.leaderId !== from) {
      this.roles.becomeFollower(request.term, from)
    } else {
      this.election.resetTimer()
    }
    state.heardFromLeader()

    if (request.prevLogIndex > log.lastIndex) {
      this.reply(from, false, 0, log.lastIndex + 1)
      return
    }
    if (log.termAt(request.prevLogIndex) !== request.prevLogTerm) {
      // Skip back over the whole conflicting term at once, never below what is committed.
      this.reply(from, false, 0, Math.max(state.commitIndex + 1, log.firstIndexOfTerm(request.prevLogIndex)))
      return
    }
    const membershipBefore = log.membershipEntryIndex
    for (const entry of request.entries) {
      const existing = log.termAt(entry.index)
      if (existing === entry.term) continue
      if (existing !== undefined) {
        if (entry.index <= state.commitIndex) throw new Error(`Raft safety violated: ${state.id} asked to overwrite committed entry ${entry.index}`)
        log.truncateFrom(entry.index)
      }
      log.append(entry)
    }
    const lastNew = request.prevLogIndex + request.entries.length
    // A membership entry takes effect on arrival and may make this member a voter (or not): re-decide whether it campaigns.
    if (log.membershipEntryIndex !== membershipBefore) this.election.resetTimer()
    this.roles.commitUpTo(Math.min(request.leaderCommit, lastNew))
    this.reply(from, true, lastNew, 0)
  }

  private reply (to: string, success: boolean, matchIndex: number, conflictIndex: number): void {
    const reply: AppendEntriesReply = { type: 'appendEntriesReply', term: this.state.term, success, matchIndex, conflictIndex }
    this.state.transport.send(to, reply)
  }
}
