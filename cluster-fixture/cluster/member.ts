// One cluster member (serverN): its Bolt endpoint, its copy of `system` (and
// so its own Catalogue), and its copies of the user databases the catalogue
// places on it. Copies are created and dropped only by applying system's log,
// so a member that was stopped catches up on placements like on data.

import createDebug from 'debug'
import { BoltServer } from '../bolt/index.js'
import type { Membership } from '../raft/index.js'
import { Catalogue, SYSTEM_DATABASE, roleOn, type DatabaseRecord, type MemberMode, type SystemCommand } from './catalogue.js'
import { GraphStore, type MutationOp } from './engine.js'
import { ClusterMemberBackend } from './backend.js'
import { DiscoveryHeartbeat } from './discovery.js'
import { FailureDetector } from './failure-detector.js'
import { nextMembershipStep } from './reconcile.js'
import { DatabaseReplica, type ReplicaState } from './replica.js'
import type { ClusterServices, MemberState } from './services.js'
import type { TimerHandle } from '../raft/index.js'

const debug = createDebug('neo4j-cluster:fixture:member')

export interface DataCommand { readonly ops: readonly MutationOp[] }

/** A user database's copy on this member. */
export interface DataCopy {
  readonly database: string
  readonly incarnation: number
  readonly replica: DatabaseReplica<DataCommand>
  readonly store: GraphStore
  reconcileTimer: TimerHandle | null
  reconciling: boolean
}

const EMPTY_MEMBERSHIP: Membership = { voters: [], learners: [] }
/** How far behind the leader's log a learner may be and still be promoted. */
const PROMOTION_SLACK = 16

export class ClusterMember {
  readonly name: string
  readonly mode: MemberMode
  readonly catalogue: Catalogue
  readonly system: DatabaseReplica<SystemCommand>
  readonly copies = new Map<string, DataCopy>()
  readonly bolt: BoltServer
  /** What the Bolt server calls: authentication, ROUTE, transactions. */
  readonly backend: ClusterMemberBackend
  /** When this member last heard from each other one: ROUTE lists only members it hears. */
  readonly detector: FailureDetector
  private readonly discovery: DiscoveryHeartbeat
  /**
   * Copy states as this member last announced them, frozen when it stops: a
   * stopped member cannot announce its own death, so others must notice the
   * silence (failure detection) rather than see its copies go offline.
   */
  private announcedAtStop: Map<string, ReplicaState> | null = null
  private running = false
  private started = false
  private blackholed = false
  private partitioned = false
  private boundPort: number
  private lag: number
  /** Raft groups this member left: coming back means joining afresh, never reusing the bootstrap membership. */
  private readonly leftGroups = new Set<string>()
  private housekeepingTimer: TimerHandle | null = null

  constructor (
    name: string,
    mode: MemberMode,
    port: number,
    allPrimaries: readonly string[],
    allSecondaries: readonly string[],
    private readonly services: ClusterServices
  ) {
    this.name = name
    this.mode = mode
    this.boundPort = port
    this.lag = mode === 'SECONDARY' ? services.options.secondaryLagMs : 0
    this.catalogue = Catalogue.bootstrap(allPrimaries, allSecondaries)
    const systemRecord = this.catalogue.get(SYSTEM_DATABASE)!
    this.system = this.createReplica<SystemCommand>(systemRecord, mode === 'PRIMARY' ? 'primary' : 'secondary', false,
      (command, index) => this.applySystem(command, index))
    this.syncCopies()
    const { options, network, scheduler } = services
    this.detector = new FailureDetector(name, options.failureDetectionMs, () => scheduler.now())
    network.observeDeliveries((from, to) => { if (to === name) this.detector.heard(from) })
    this.discovery = new DiscoveryHeartbeat(name, [...allPrimaries, ...allSecondaries], network, scheduler, options.heartbeatMs)
    this.backend = new ClusterMemberBackend(this, services)
    this.bolt = new BoltServer({
      backend: this.backend,
      tls: services.options.tls ?? undefined,
      manifest: services.options.manifest,
      lenient: options.lenient,
      keepAliveMs: options.keepAliveMs,
      hints: { ssrEnabled: options.serverSideRouting }
    })
  }

  get port (): number { return this.boundPort }
  get address (): string { return `127.0.0.1:${this.boundPort}` }
  get isRunning (): boolean { return this.running }
  get lagMs (): number { return this.lag }

  get state (): MemberState {
    if (!this.running) return 'stopped'
    if (this.blackholed) return 'blackholed'
    if (this.partitioned) return 'partitioned'
    return 'running'
  }

  /** Binds the Bolt port (the same one on every restart) and starts Raft. */
  async start (): Promise<void> {
    if (this.running) return
    const first = !this.started
    this.boundPort = await this.bolt.listen(this.boundPort)
    this.started = true
    this.running = true
    this.services.network.setIsolated(this.name, 'stopped', false)
    this.announcedAtStop = null
    this.discovery.start()
    const fast = first && this.services.options.fastFirstElection
    this.system.start(fast && this.isFirstPrimary(this.catalogue.get(SYSTEM_DATABASE)!) ? 0 : undefined)
    for (const copy of this.copies.values()) {
      const record = this.catalogue.get(copy.database)
      if (record?.requestedStatus !== 'offline') {
        copy.replica.start(fast && record !== undefined && this.isFirstPrimary(record) ? 0 : undefined)
      }
    }
    this.syncCopies()
    debug('%s started on %s', this.name, this.address)
  }

  /** Like `docker stop`: Raft silent, listener closed, sockets destroyed; data kept for a restart. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    this.announcedAtStop = new Map([[SYSTEM_DATABASE, this.system.state], ...[...this.copies.values()].map((copy) => [copy.database, copy.replica.state] as const)])
    this.services.network.setIsolated(this.name, 'stopped', true)
    this.discovery.stop()
    this.services.scheduler.clearTimeout(this.housekeepingTimer)
    this.housekeepingTimer = null
    this.system.stop('the member stopped')
    for (const copy of this.copies.values()) copy.replica.stop('the member stopped')
    await this.bolt.close()
    debug('%s stopped', this.name)
  }

  /** Accepts connections and bytes but never answers; Raft isolated. */
  setBlackhole (on: boolean): void {
    this.blackholed = on
    this.bolt.setBlackhole(on)
    this.services.network.setIsolated(this.name, 'blackhole', on)
  }

  /** Cut off from the other members' Raft traffic; still serves clients. */
  setPartitioned (on: boolean): void {
    this.partitioned = on
    this.services.network.setIsolated(this.name, 'partition', on)
  }

  setLag (ms: number): void {
    this.lag = ms
    this.system.setLag(ms)
    for (const copy of this.copies.values()) copy.replica.setLag(ms)
  }

  /** Final shutdown (cluster close). */
  async close (): Promise<void> {
    await this.stop()
    for (const copy of this.copies.values()) copy.replica.drop('the cluster closed')
    this.system.drop('the cluster closed')
  }

  /**
   * The state of this member's copy of `database` as others may know it: live
   * while the member runs, what it was at the moment of a stop afterwards.
   */
  announcedStateOf (database: string): ReplicaState | undefined {
    return this.announcedAtStop === null ? this.replicaOf(database)?.state : this.announcedAtStop.get(database)
  }

  /** This member's copy of a database (system included), or undefined. */
  replicaOf (database: string): DatabaseReplica<unknown> | undefined {
    if (database === SYSTEM_DATABASE) return this.system as DatabaseReplica<unknown>
    return this.copies.get(database)?.replica as DatabaseReplica<unknown> | undefined
  }

  private isFirstPrimary (record: DatabaseRecord): boolean {
    return record.initial.primaries[0] === this.name
  }

  private createReplica<C> (record: DatabaseRecord, role: 'primary' | 'secondary', joining: boolean, apply: (command: C, index: number) => void): DatabaseReplica<C> {
    const { options, network, scheduler, random } = this.services
    return new DatabaseReplica<C>({
      member: this.name,
      database: record.name,
      incarnation: record.incarnation,
      role,
      bootstrap: joining ? EMPTY_MEMBERSHIP : { voters: record.initial.primaries, learners: record.initial.secondaries },
      joining,
      network,
      scheduler,
      random,
      electionTimeoutMs: options.electionTimeoutMs,
      heartbeatMs: options.heartbeatMs,
      lagMs: this.lag,
      apply
    })
  }

  private applySystem (command: SystemCommand, index: number): void {
    this.catalogue.apply(command, index)
    debug('%s applied system entry %d: %s %s', this.name, index, command.type, command.name)
    this.syncCopies()
  }

  /** Creates, starts, stops and drops copies to match this member's catalogue. */
  private syncCopies (): void {
    let pending = false
    for (const record of this.catalogue.list()) {
      if (record.type === 'system') continue
      const role = roleOn(record, this.name)
      let copy = this.copies.get(record.name)
      if (copy !== undefined && copy.incarnation !== record.incarnation) {
        this.dropCopy(copy, 'the database was dropped and created again')
        copy = undefined
      }
      if (copy === undefined && role !== null) copy = this.createCopy(record, role)
      if (copy === undefined) continue
      if (role === null) {
        if (this.mayLeave(copy)) this.dropCopy(copy, `its copy moved away from ${this.name}`)
        else pending = true
        continue
      }
      if (record.requestedStatus === 'offline' && copy.replica.state !== 'offline') copy.replica.stop('the database is stopped')
      if (record.requestedStatus === 'online' && copy.replica.state === 'offline' && this.running) copy.replica.start()
      this.scheduleReconcile(copy)
    }
    for (const copy of this.copies.values()) {
      if (this.catalogue.get(copy.database) === undefined) this.dropCopy(copy, 'the database was dropped')
    }
    if (pending) this.scheduleHousekeeping()
  }

  private createCopy (record: DatabaseRecord, role: 'primary' | 'secondary'): DataCopy {
    const group = `${record.name}#${record.incarnation}`
    const joining = roleOn(record.initial, this.name) !== role || this.leftGroups.has(group)
    const store = new GraphStore(record.name)
    const replica = this.createReplica<DataCommand>(record, role, joining, (command) => store.apply(command.ops))
    const copy: DataCopy = { database: record.name, incarnation: record.incarnation, replica, store, reconcileTimer: null, reconciling: false }
    this.copies.set(record.name, copy)
    replica.onStateChange(() => { if (replica.isLeader) this.scheduleReconcile(copy) })
    if (this.running && record.requestedStatus === 'online') {
      const fresh = this.services.options.fastFirstElection && !joining && this.isFirstPrimary(record)
      replica.start(fresh ? 0 : undefined)
    } else {
      replica.stop(this.running ? 'the database is stopped' : 'the member is stopped')
    }
    debug('%s hosts %s as %s%s', this.name, group, role, joining ? ' (joining)' : '')
    return copy
  }

  /**
   * A copy that moved away is dropped only once the database's Raft group no
   * longer counts this member as a voter (or it was only a learner), so moving
   * a copy never takes a vote away from a group before its membership changed.
   */
  private mayLeave (copy: DataCopy): boolean {
    if (copy.replica.role === 'secondary') return true
    const membership = this.services.view.groupMembership(copy.database, copy.incarnation)
    return membership !== null && !membership.voters.includes(this.name)
  }

  private dropCopy (copy: DataCopy, reason: string): void {
    this.services.scheduler.clearTimeout(copy.reconcileTimer)
    copy.replica.drop(reason)
    this.copies.delete(copy.database)
    this.leftGroups.add(`${copy.database}#${copy.incarnation}`)
    debug('%s dropped its copy of %s: %s', this.name, copy.database, reason)
  }

  private scheduleHousekeeping (): void {
    if (this.housekeepingTimer !== null || !this.running) return
    this.housekeepingTimer = this.services.scheduler.setTimeout(() => {
      this.housekeepingTimer = null
      if (this.running) this.syncCopies()
    }, this.services.options.heartbeatMs * 2)
  }

  private scheduleReconcile (copy: DataCopy, delayMs = 0): void {
    if (copy.reconcileTimer !== null || copy.reconciling || !copy.replica.isLeader) return
    copy.reconcileTimer = this.services.scheduler.setTimeout(() => {
      copy.reconcileTimer = null
      this.reconcile(copy)
    }, delayMs)
  }

  /** On the leader of a copy: one step of moving the Raft membership to the catalogue's placement. */
  private reconcile (copy: DataCopy): void {
    const record = this.catalogue.get(copy.database)
    if (!this.running || record === undefined || record.incarnation !== copy.incarnation || !copy.replica.isWritable) return
    const raft = copy.replica.raft
    const step = nextMembershipStep(raft.membership, { voters: record.primaries, learners: record.secondaries },
      (id) => raft.matchIndexOf(id) + PROMOTION_SLACK >= raft.lastIndex)
    if (step.kind === 'done') return
    if (step.kind === 'wait') {
      this.scheduleReconcile(copy, this.services.options.heartbeatMs)
      return
    }
    copy.reconciling = true
    debug('%s: %s membership change: %s', this.name, copy.database, step.reason)
    raft.changeMembership(step.membership)
      .catch((error: Error) => debug('%s: %s membership change failed: %s', this.name, copy.database, error.message))
      .finally(() => {
        copy.reconciling = false
        this.scheduleReconcile(copy, this.services.options.heartbeatMs)
      })
  }
}
