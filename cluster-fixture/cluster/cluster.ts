// The cluster: members in one process, an in-process Raft network between
// them, failure controls, and re-allocation of copies whose member stays down.

import createDebug from 'debug'
import type { BoltServer, HostileMode } from '../bolt/index.js'
import { InProcessNetwork, RealScheduler, seededRandom, type Membership } from '../raft/index.js'
import { planMove } from './allocation.js'
import { proposeSystem, serverSnapshots } from './admin.js'
import { DEFAULT_DATABASE, SYSTEM_DATABASE } from './catalogue.js'
import { ClusterMember } from './member.js'
import { resolveOptions, type ClusterOptions, type ResolvedClusterOptions } from './options.js'
import type { ClusterServices, ClusterView, CopyInfo, MemberInfo } from './services.js'
import { ClusterAuth } from './auth.js'

const debug = createDebug('neo4j-cluster:fixture:cluster')

/** One member's copy of a database, as `Cluster.databaseStatus` reports it. */
export interface CopyStatus {
  member: string
  memberState: MemberInfo['state']
  role: 'primary' | 'secondary'
  state: 'starting' | 'online' | 'offline' | 'dropped'
  raftRole: 'follower' | 'preCandidate' | 'candidate' | 'leader' | 'stopped'
  /** Leader whose term's no-op is committed and applied: it takes writes. */
  writable: boolean
  term: number
  leader: string | null
  appliedIndex: number
  commitIndex: number
  voters: string[]
  learners: string[]
}

/** How long startCluster waits for system and neo4j to elect leaders. */
const STARTUP_ELECTION_BOUND_MS = 20_000
const POLL_MS = 10

export class Cluster {
  readonly options: ResolvedClusterOptions
  private readonly scheduler = new RealScheduler()
  private readonly network: InProcessNetwork
  private readonly memberList: ClusterMember[] = []
  private readonly reallocationTimers = new Map<string, ReturnType<RealScheduler['setTimeout']>>()
  private closed = false
  private readonly services: ClusterServices

  private constructor (options: ResolvedClusterOptions) {
    this.options = options
    const random = seededRandom(options.seed)
    this.network = new InProcessNetwork(this.scheduler, random)
    const primaries = Array.from({ length: options.primaries }, (_, i) => `server${i + 1}`)
    const secondaries = Array.from({ length: options.secondaries }, (_, i) => `server${options.primaries + i + 1}`)
    const auth = new ClusterAuth([options.auth, ...options.users], () => this.scheduler.now())
    const services: ClusterServices = { options, network: this.network, scheduler: this.scheduler, random, view: this.view(), auth }
    this.services = services
    ;[...primaries, ...secondaries].forEach((name, i) => {
      const port = options.basePort === 0 ? 0 : options.basePort + i
      this.memberList.push(new ClusterMember(name, i < options.primaries ? 'PRIMARY' : 'SECONDARY', port, primaries, secondaries, services))
    })
  }

  /** Starts every member (server1 binds first) and waits until system and neo4j have leaders. */
  static async start (options: ClusterOptions = {}): Promise<Cluster> {
    const cluster = new Cluster(resolveOptions(options))
    try {
      for (const member of cluster.memberList) await member.start()
      await cluster.leader(SYSTEM_DATABASE, STARTUP_ELECTION_BOUND_MS)
      await cluster.leader(DEFAULT_DATABASE, STARTUP_ELECTION_BOUND_MS)
    } catch (error) {
      await cluster.close()
      throw error
    }
    debug('cluster started: %s', cluster.memberList.map((m) => `${m.name}@${m.address}`).join(', '))
    return cluster
  }

  /**
   * 'neo4j://127.0.0.1:<port of server1>', also when the members serve TLS: it names
   * the seed router, and the scheme stays the routing one so code that swaps it keeps working.
   * With TLS, connect with `tlsUri` (or neo4j+s:// on the same host:port when the client trusts the certificate).
   */
  get uri (): string {
    return `neo4j://${this.memberList[0].address}`
  }

  /**
   * With the `tls` option: 'neo4j+ssc://127.0.0.1:<port of server1>' (encrypted, the
   * certificate not checked — what a test's self-signed certificate needs); otherwise null.
   */
  get tlsUri (): string | null {
    return this.options.tls === null ? null : `neo4j+ssc://${this.memberList[0].address}`
  }

  members (): MemberInfo[] {
    return this.memberList.map((member) => ({ name: member.name, address: member.address, mode: member.mode, state: member.state }))
  }

  /**
   * Name of the current leader of `database`, once one is ready for writes and
   * reachable (not partitioned or black-holed); waits at most `timeoutMs`.
   */
  async leader (database = DEFAULT_DATABASE, timeoutMs = 10_000): Promise<string> {
    const deadline = this.scheduler.now() + timeoutMs
    for (;;) {
      const name = this.readyLeaderOf(database)
      if (name !== null) return name
      if (this.closed) throw new Error('the cluster is closed')
      if (this.scheduler.now() >= deadline) throw new Error(`no leader for database '${database}' within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  /** Like `docker stop`: listener closed, sockets destroyed, Raft silent. Data is kept. */
  async stop (name: string): Promise<void> {
    const member = this.member(name)
    await member.stop()
    this.scheduleReallocation(member)
  }

  /** Like `docker start`: same port, same data; rejoins and catches up. */
  async start (name: string): Promise<void> {
    const member = this.member(name)
    this.scheduler.clearTimeout(this.reallocationTimers.get(name))
    this.reallocationTimers.delete(name)
    await member.start()
  }

  /** Accepts connections and bytes but never answers; Raft isolated. */
  async blackhole (name: string): Promise<void> {
    this.member(name).setBlackhole(true)
  }

  /** Cuts the member off from the other members' Raft traffic; it still serves clients (stale reads, refused writes). */
  async partition (name: string): Promise<void> {
    this.member(name).setPartitioned(true)
  }

  /** Undoes blackhole and partition. */
  async heal (name: string): Promise<void> {
    const member = this.member(name)
    member.setBlackhole(false)
    member.setPartitioned(false)
  }

  /** Replication lag of a member in ms (its copies apply committed entries that much later). */
  setLag (name: string, ms: number): void {
    if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`setLag: ms must be a non-negative integer, got ${ms}`)
    this.member(name).setLag(ms)
  }

  /** The next `count` commits answered by this member are committed, then its socket is destroyed before the answer. */
  armCommitDrop (name: string, count: number): void {
    this.member(name).bolt.armCommitDrop(count)
  }

  setHostile (name: string, mode: HostileMode | null): void {
    this.member(name).bolt.setHostile(mode)
  }

  /**
   * A bearer token (scheme 'bearer') for one of the cluster's users, valid for
   * `ttlMs` on the cluster's clock: logging on with it after that fails with
   * TokenExpired, and a connection logged on with it fails its next request
   * with TokenExpired once it expired (and closes).
   */
  issueBearerToken (user: string, ttlMs: number): string {
    return this.services.auth.issueBearerToken(user, ttlMs)
  }

  /**
   * Every connection to `name` (every member without one) logged on until now
   * fails its next request with AuthorizationExpired, until it logs on again.
   */
  expireAuthorization (name?: string): void {
    if (name !== undefined) this.member(name)
    this.services.auth.expireAuthorization(name)
  }

  /** ROUTE requests received by one member, or by all together. */
  routeRequestCount (name?: string): number {
    const members = name === undefined ? this.memberList : [this.member(name)]
    return members.reduce((sum, member) => sum + (member.bolt.stats().messages.ROUTE ?? 0), 0)
  }

  /**
   * Transactions one member (or all) ran on another one by server-side routing:
   * a write begun on a follower of a neo4j:// connection, or a database hosted elsewhere.
   */
  forwardedTransactionCount (name?: string): number {
    const members = name === undefined ? this.memberList : [this.member(name)]
    return members.reduce((sum, member) => sum + member.backend.forwardedTransactions, 0)
  }

  /** The member's Bolt server (stats(), resetStats(), …). */
  server (name: string): BoltServer {
    return this.member(name).bolt
  }

  /** Names of the databases in the catalogue (as the system leader, or else the first running member, knows it). */
  databases (): string[] {
    const source = this.memberList.find((m) => m.name === this.readyLeaderOf(SYSTEM_DATABASE)) ??
      this.memberList.find((m) => m.isRunning) ?? this.memberList[0]
    return source.catalogue.list().map((record) => record.name)
  }

  /**
   * Diagnostics: every member's copy of `database` as that member sees it
   * (Raft role, term, known leader, indexes, membership). For tests and debugging.
   */
  databaseStatus (database: string): CopyStatus[] {
    const rows: CopyStatus[] = []
    for (const member of this.memberList) {
      const replica = member.replicaOf(database)
      if (replica === undefined) continue
      rows.push({
        member: member.name,
        memberState: member.state,
        role: replica.role,
        state: replica.state,
        raftRole: replica.raft.role,
        writable: replica.isWritable,
        term: replica.raft.term,
        leader: replica.leaderId,
        appliedIndex: replica.appliedIndex,
        commitIndex: replica.raft.commitIndex,
        voters: [...replica.raft.membership.voters],
        learners: [...replica.raft.membership.learners]
      })
    }
    return rows
  }

  /** Stops everything; the ports are free when this resolves. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const timer of this.reallocationTimers.values()) this.scheduler.clearTimeout(timer)
    this.reallocationTimers.clear()
    await Promise.all(this.memberList.map(async (member) => await member.close()))
    this.scheduler.clearAll()
  }

  private member (name: string): ClusterMember {
    const member = this.memberList.find((m) => m.name === name)
    if (member === undefined) {
      throw new RangeError(`no member named ${JSON.stringify(name)}; members are ${this.memberList.map((m) => m.name).join(', ')}`)
    }
    return member
  }

  private readyLeaderOf (database: string): string | null {
    let best: ClusterMember | null = null
    for (const member of this.memberList) {
      const replica = member.replicaOf(database)
      // A partitioned or black-holed leader cannot commit: it is not the leader a caller wants.
      if (member.state !== 'running' || replica === undefined || !replica.isWritable) continue
      if (best === null || replica.raft.term > best.replicaOf(database)!.raft.term) best = member
    }
    return best?.name ?? null
  }

  private view (): ClusterView {
    const copyInfo = (member: ClusterMember, database: string): CopyInfo | undefined => {
      const replica = member.replicaOf(database)
      if (replica === undefined) return undefined
      return {
        member: member.name,
        role: replica.role,
        state: replica.state,
        isLeader: replica.isLeader,
        leaderId: replica.leaderId,
        term: replica.raft.term,
        appliedIndex: replica.appliedIndex,
        incarnation: replica.incarnation
      }
    }
    const leaderReplica = (database: string, incarnation?: number): { member: ClusterMember, membership: Membership } | null => {
      let best: { member: ClusterMember, term: number, membership: Membership } | null = null
      for (const member of this.memberList) {
        const replica = member.replicaOf(database)
        if (!member.isRunning || replica === undefined || !replica.isLeader) continue
        if (incarnation !== undefined && replica.incarnation !== incarnation) continue
        if (best === null || replica.raft.term > best.term) best = { member, term: replica.raft.term, membership: replica.raft.membership }
      }
      return best
    }
    return {
      members: () => this.members(),
      member: (name) => this.members().find((info) => info.name === name),
      copy: (name, database) => {
        const member = this.memberList.find((m) => m.name === name)
        return member === undefined ? undefined : copyInfo(member, database)
      },
      announcedCopyState: (name, database) => this.memberList.find((m) => m.name === name)?.announcedStateOf(database),
      leaderOf: (database) => leaderReplica(database)?.member.name ?? null,
      groupMembership: (database, incarnation) => leaderReplica(database, incarnation)?.membership ?? null,
      backendOf: (name) => {
        const member = this.memberList.find((m) => m.name === name)
        return member?.isRunning === true ? member.backend : undefined
      }
    }
  }

  /** After reallocationGraceMs down, the member's copies move to healthy members of the same mode. */
  private scheduleReallocation (member: ClusterMember, delayMs = this.options.reallocationGraceMs): void {
    if (this.closed) return
    this.scheduler.clearTimeout(this.reallocationTimers.get(member.name))
    this.reallocationTimers.set(member.name, this.scheduler.setTimeout(() => {
      this.reallocationTimers.delete(member.name)
      this.reallocateFrom(member).catch((error: Error) => debug('re-allocation from %s failed: %s', member.name, error.message))
    }, delayMs))
  }

  private async reallocateFrom (down: ClusterMember): Promise<void> {
    if (this.closed || down.isRunning) return
    const retry = (): void => this.scheduleReallocation(down, Math.max(200, Math.floor(this.options.reallocationGraceMs / 2)))
    const leaderName = this.readyLeaderOf(SYSTEM_DATABASE)
    const leader = this.memberList.find((m) => m.name === leaderName)
    if (leader === undefined) return retry()
    const services = this.services
    let incomplete = false
    for (const record of leader.catalogue.hostedBy(down.name)) {
      if (record.type === 'system') continue
      const allocation = planMove(record, down.name, serverSnapshots(leader, services))
      if (allocation === null) continue // nowhere to go (e.g. neo4j is on every member)
      // A primary copy can only move while its group has a leader to change the Raft membership.
      if (record.primaries.includes(down.name) && this.readyLeaderOf(record.name) === null) {
        incomplete = true
        continue
      }
      const lease = await leader.system.writeLock.acquire(leader.system.raft.term, this.options.lockWaitTimeoutMs)
      try {
        const current = leader.catalogue.get(record.name)
        if (current === undefined || current.incarnation !== record.incarnation || down.isRunning) continue
        debug('moving %s copy of %s from %s', record.name, record.incarnation, down.name)
        await proposeSystem(leader, { type: 'allocate', name: record.name, allocation, topology: current.topology, reason: `${down.name} down` }, services)
      } catch (error) {
        incomplete = true
        debug('moving %s from %s failed: %s', record.name, down.name, (error as Error).message)
      } finally {
        lease.release()
      }
    }
    if (incomplete) retry()
  }
}

export async function startCluster (options: ClusterOptions = {}): Promise<Cluster> {
  return await Cluster.start(options)
}
