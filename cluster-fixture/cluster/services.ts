// What a member may ask of the cluster around it: shared Raft plumbing and a
// read-only "discovery" view of the other members (in Neo4j, the discovery
// service; here, the members' objects in the same process).

import type { MemberBackend } from '../bolt/backend.js'
import type { ClusterAuth } from './auth.js'
import type { InProcessNetwork, Membership, RandomSource, Scheduler } from '../raft/index.js'
import type { MemberMode } from './catalogue.js'
import type { ResolvedClusterOptions } from './options.js'
import type { ReplicaState } from './replica.js'

export type MemberState = 'running' | 'stopped' | 'blackholed' | 'partitioned'

export interface MemberInfo {
  name: string
  /** 'host:port' */
  address: string
  mode: MemberMode
  state: MemberState
}

export interface CopyInfo {
  member: string
  role: 'primary' | 'secondary'
  state: ReplicaState
  isLeader: boolean
  leaderId: string | null
  term: number
  appliedIndex: number
  incarnation: number
}

export interface ClusterView {
  members: () => MemberInfo[]
  member: (name: string) => MemberInfo | undefined
  /** The copy of `database` on `member`, if it hosts one. */
  copy: (member: string, database: string) => CopyInfo | undefined
  /**
   * The copy's state as `member` announced it to discovery: live while it runs,
   * frozen at its last state once it stops (a stopped member cannot say so;
   * the others notice through their failure detectors).
   */
  announcedCopyState: (member: string, database: string) => ReplicaState | undefined
  /** The running member whose copy leads `database` in the highest term, or null. */
  leaderOf: (database: string) => string | null
  /** The Raft membership as the current leader of that database incarnation sees it, or null without a leader. */
  groupMembership: (database: string, incarnation: number) => Membership | null
  /** A running member's backend, to run a transaction routed to it (server-side routing). */
  backendOf: (member: string) => MemberBackend | undefined
}

export interface ClusterServices {
  options: ResolvedClusterOptions
  network: InProcessNetwork
  scheduler: Scheduler
  random: RandomSource
  view: ClusterView
  /** Users, bearer tokens and authorization expiry, shared by every member. */
  auth: ClusterAuth
}
