// The messages between the chaos harness and the child process that hosts the
// fixture cluster (cluster-host.ts). The cluster runs in its own process so its
// event loop (Raft timers, Bolt parsing, the query engine) does not compete
// with the drivers under test for the same thread: a pause we measure is the
// driver's, not a busy loop in the fixture.

import type { ClusterOptions, CopyStatus, HostileMode, MemberInfo } from '../../cluster-fixture/index.js'

/** Every control the harness may apply, with its arguments and answer. */
export interface HostCalls {
  start: { args: [options: ClusterOptions], result: { uri: string, members: MemberInfo[] } }
  stopMember: { args: [name: string], result: null }
  startMember: { args: [name: string], result: null }
  blackhole: { args: [name: string], result: null }
  partition: { args: [name: string], result: null }
  heal: { args: [name: string], result: null }
  setLag: { args: [name: string, ms: number], result: null }
  armCommitDrop: { args: [name: string, count: number], result: null }
  setHostile: { args: [name: string, mode: HostileMode | null], result: null }
  /** Name of the ready leader of `database`, waiting at most `timeoutMs`. */
  leader: { args: [database: string, timeoutMs: number], result: string }
  members: { args: [], result: MemberInfo[] }
  databaseStatus: { args: [database: string], result: CopyStatus[] }
  /**
   * Waits (at most `timeoutMs`) until every member runs, `database` has a ready
   * leader and every online copy has applied what that leader committed.
   * Answers whether it got there, and the copies as last seen.
   */
  settle: { args: [database: string, timeoutMs: number], result: { settled: boolean, copies: CopyStatus[] } }
  close: { args: [], result: null }
}

export type HostCallName = keyof HostCalls

export interface HostRequest<K extends HostCallName = HostCallName> {
  readonly id: number
  readonly call: K
  readonly args: HostCalls[K]['args']
}

export type HostReply =
  | { readonly id: number, readonly ok: true, readonly value: unknown }
  | { readonly id: number, readonly ok: false, readonly error: string }
