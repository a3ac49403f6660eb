// The replicated log of one Raft member. Kept in memory for the life of the
// member object, so a stopped-and-restarted member keeps it (like a disk).
// No compaction: fixture runs are short and a joining copy catches up from index 1.

import type { LogEntry, Membership } from './messages.js'

export class RaftLog<C> {
  private readonly entries: Array<LogEntry<C>> = []
  /** Index of the newest membership entry, 0 when the log holds none. */
  private membershipIndex = 0
  /** Index of the membership entry before that one, 0 when there is none. */
  private priorMembershipIndex = 0

  constructor (private readonly bootstrapMembership: Membership) {}

  get lastIndex (): number {
    return this.entries.length
  }

  get lastTerm (): number {
    return this.entries[this.entries.length - 1]?.term ?? 0
  }

  /** Term of the entry at `index`; 0 for index 0 (the empty prefix); undefined beyond the end. */
  termAt (index: number): number | undefined {
    if (index === 0) return 0
    return this.entries[index - 1]?.term
  }

  entry (index: number): LogEntry<C> | undefined {
    return this.entries[index - 1]
  }

  /** Entries with index in [from, to], clipped to the log. */
  slice (from: number, to: number): Array<LogEntry<C>> {
    return this.entries.slice(Math.max(0, from - 1), Math.max(0, to))
  }

  append (entry: LogEntry<C>): void {
    if (entry.index !== this.entries.length + 1) {
      throw new Error(`log append out of order: got index ${entry.index}, expected ${this.entries.length + 1}`)
    }
    this.entries.push(entry)
    if (entry.kind === 'membership') {
      this.priorMembershipIndex = this.membershipIndex
      this.membershipIndex = entry.index
    }
  }

  /** Removes every entry from `index` on (conflict resolution; never below the commit index). */
  truncateFrom (index: number): void {
    if (index > this.entries.length) return
    this.entries.length = Math.max(0, index - 1)
    if (this.membershipIndex >= index) {
      const found: number[] = []
      for (let i = this.entries.length; i >= 1 && found.length < 2; i--) {
        if (this.entries[i - 1].kind === 'membership') found.push(i)
      }
      this.membershipIndex = found[0] ?? 0
      this.priorMembershipIndex = found[1] ?? 0
    }
  }

  /** The membership in force: the newest one in the log, committed or not (Raft §6 single-server changes). */
  get membership (): Membership {
    const entry = this.entries[this.membershipIndex - 1]
    return entry?.kind === 'membership' ? entry.membership : this.bootstrapMembership
  }

  /** The membership the current one replaced (the bootstrap one when there is no earlier entry). */
  get priorMembership (): Membership {
    if (this.membershipIndex === 0) return this.bootstrapMembership
    const entry = this.entries[this.priorMembershipIndex - 1]
    return entry?.kind === 'membership' ? entry.membership : this.bootstrapMembership
  }

  /** Index of the entry that set the current membership (0: the bootstrap one). */
  get membershipEntryIndex (): number {
    return this.membershipIndex
  }

  /** First index of the run of entries with the same term as the entry at `index`. */
  firstIndexOfTerm (index: number): number {
    const term = this.termAt(index)
    let first = index
    while (first > 1 && this.termAt(first - 1) === term) first--
    return first
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate (lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex)
  }
}
