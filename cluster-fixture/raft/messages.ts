// The messages Raft members exchange, and the entries of the replicated log.

/** Who may vote and who only receives the log. Always the full set, never a delta. */
export interface Membership {
  readonly voters: readonly string[]
  /** Non-voting members (secondaries): they receive the log but never vote or count for commit. */
  readonly learners: readonly string[]
}

export type EntryPayload<C> =
  | { readonly kind: 'command', readonly command: C }
  /** Appended by every new leader so that entries of earlier terms commit (Raft §5.4.2). */
  | { readonly kind: 'noop' }
  /** Takes effect as soon as it is in a member's log, committed or not (single-server changes). */
  | { readonly kind: 'membership', readonly membership: Membership }

export type LogEntry<C> = { readonly index: number, readonly term: number } & EntryPayload<C>

export interface PreVoteRequest {
  readonly type: 'preVote'
  /** The term the sender would campaign in (its current term + 1); nobody adopts it. */
  readonly term: number
  readonly lastLogIndex: number
  readonly lastLogTerm: number
}

export interface PreVoteReply {
  readonly type: 'preVoteReply'
  /** Echo of the request's proposed term, so stale replies can be told apart. */
  readonly term: number
  readonly granted: boolean
  /** The replier's own current term (lets a stale pre-candidate learn it is behind). */
  readonly voterTerm: number
}

export interface VoteRequest {
  readonly type: 'requestVote'
  readonly term: number
  readonly lastLogIndex: number
  readonly lastLogTerm: number
}

export interface VoteReply {
  readonly type: 'requestVoteReply'
  readonly term: number
  readonly granted: boolean
}

export interface AppendEntriesRequest<C> {
  readonly type: 'appendEntries'
  readonly term: number
  readonly prevLogIndex: number
  readonly prevLogTerm: number
  readonly entries: ReadonlyArray<LogEntry<C>>
  readonly leaderCommit: number
}

export interface AppendEntriesReply {
  readonly type: 'appendEntriesReply'
  readonly term: number
  readonly success: boolean
  /** On success: the last index known to match the leader's log. */
  readonly matchIndex: number
  /** On failure: where the leader should retry from (first index of the conflicting term, or our log end). */
  readonly conflictIndex: number
}

export type RaftMessage<C> =
  | PreVoteRequest
  | PreVoteReply
  | VoteRequest
  | VoteReply
  | AppendEntriesRequest<C>
  | AppendEntriesReply
