// A transaction on one member's copy of one database (BackendTransaction).
//
// Reads run on this member's applied state. The first updating statement
// checks that writes are allowed here (access mode, secondary, follower) and
// takes the database's write lock on the leader; COMMIT proposes the
// transaction's ops to Raft and answers only once they are committed by a
// majority and applied here. Failures say whether the transaction certainly did
// not commit (NotALeader) or may have (ReplicationFailure, "outcome unknown").

import type { BackendTransaction, Interruption, QueryResult, TxRequest } from '../bolt/backend.js'
import { FixtureError } from '../errors.js'
import { CommitOutcomeUnknownError, NotLeaderError } from '../raft/index.js'
import type { CypherMap } from '../values.js'
import { executeAdmin } from './admin.js'
import { encodeBookmark } from './bookmarks.js'
import { SYSTEM_DATABASE, type DatabaseRecord } from './catalogue.js'
import { GraphStore, StoreTransaction, parseStatement, type QueryStatement } from './engine.js'
import type { ClusterMember, DataCommand } from './member.js'
import type { DatabaseReplica } from './replica.js'
import type { ClusterServices } from './services.js'
import type { WriteLease } from './write-lock.js'

/** `system` holds no graph: read-only Cypher (e.g. RETURN 1) runs against an empty one. */
const EMPTY_SYSTEM_GRAPH = new GraphStore(SYSTEM_DATABASE)

type TxState = 'open' | 'committing' | 'committed' | 'rolledBack' | 'timedOut'

export class ClusterTransaction implements BackendTransaction {
  readonly database: string
  private state: TxState = 'open'
  private storeTx: StoreTransaction | null = null
  private lease: WriteLease | null = null
  /** System log index of an administration command this transaction executed. */
  private adminIndex: number | null = null
  private timeoutTimer: ReturnType<ClusterServices['scheduler']['setTimeout']> | null = null

  constructor (
    private readonly member: ClusterMember,
    private readonly services: ClusterServices,
    private readonly request: TxRequest,
    private readonly record: DatabaseRecord,
    private readonly replica: DatabaseReplica<unknown>,
    private readonly store: GraphStore | null
  ) {
    this.database = record.name
    const timeout = request.txTimeoutMs
    if (timeout !== null && timeout > 0) {
      this.timeoutTimer = services.scheduler.setTimeout(() => this.expire(timeout), timeout)
    }
  }

  /**
   * Runs one statement. Refusals (access mode, follower, lock timeout) throw
   * at once; a failure while producing rows comes back in `failure`, after
   * the rows before it. An interruption (RESET) ends a wait for the write lock.
   */
  async run (query: string, params: CypherMap, interruption?: Interruption): Promise<QueryResult> {
    this.ensureOpen()
    const statement = parseStatement(query)
    if (statement.kind !== 'query') {
      const outcome = await executeAdmin(statement, params, {
        member: this.member, services: this.services, request: this.request, database: this.database
      })
      if (outcome.systemIndex !== null) this.adminIndex = Math.max(this.adminIndex ?? 0, outcome.systemIndex)
      return outcome.result
    }
    if (statement.updating) await this.prepareWrite(statement, interruption)
    this.ensureOpen()
    this.storeTx ??= new StoreTransaction(this.store ?? EMPTY_SYSTEM_GRAPH, { now: Date.now })
    return this.storeTx.executeStreaming(statement, params)
  }

  /**
   * Commits (replicates the writes and waits for a majority). Not interruptible:
   * a client's RESET stops waiting for the answer, while the write lock stays
   * held until the commit settles, so the next writer never builds on a
   * state the pending commit would change.
   */
  async commit (): Promise<{ bookmark: string }> {
    this.ensureOpen()
    this.state = 'committing'
    this.services.scheduler.clearTimeout(this.timeoutTimer)
    try {
      if (this.adminIndex !== null) return { bookmark: this.bookmarkAt(this.member.system.incarnation, SYSTEM_DATABASE, this.adminIndex) }
      if (this.storeTx === null || !this.storeTx.hasWrites) {
        return { bookmark: this.bookmarkAt(this.replica.incarnation, this.database, this.replica.appliedIndex) }
      }
      const lease = this.lease
      if (lease === null) throw new FixtureError('GeneralUnknownError', 'Internal error: a write transaction without the write lock')
      lease.check()
      const index = await this.replicate({ ops: this.storeTx.ops })
      return { bookmark: this.bookmarkAt(this.replica.incarnation, this.database, index) }
    } finally {
      this.state = 'committed'
      this.finish()
    }
  }

  async rollback (): Promise<void> {
    if (this.state === 'committing' || this.state === 'committed' || this.state === 'rolledBack') return
    this.state = 'rolledBack'
    this.finish()
  }

  private ensureOpen (): void {
    if (this.state === 'timedOut') {
      throw new FixtureError('TransactionTimedOut',
        `The transaction has been terminated: it ran longer than its timeout of ${this.request.txTimeoutMs} ms`)
    }
    if (this.state !== 'open') {
      throw new FixtureError('TransactionNotFound', `The transaction is ${this.state === 'rolledBack' ? 'rolled back' : 'committed'} already`)
    }
  }

  private expire (timeoutMs: number): void {
    this.timeoutTimer = null
    if (this.state !== 'open') return
    this.state = 'timedOut'
    void timeoutMs
    this.finish()
  }

  private finish (): void {
    this.services.scheduler.clearTimeout(this.timeoutTimer)
    this.timeoutTimer = null
    this.lease?.release()
    this.lease = null
    this.storeTx = null
  }

  /** Every refusal a write can meet on this member, then the write lock (bounded wait). */
  private async prepareWrite (statement: QueryStatement, interruption?: Interruption): Promise<void> {
    if (this.database === SYSTEM_DATABASE) {
      throw new FixtureError('NotSystemDatabaseError',
        'Not a recognised system command or procedure. This Cypher command can only be executed in a user database: ' +
        statement.text.slice(0, 80))
    }
    if (this.request.mode === 'READ') {
      throw new FixtureError('AccessMode',
        `Writing in read access mode not allowed. Attempted write to internal graph (${this.database}). ` +
        'Run writes in a WRITE transaction (executeWrite, or a session with defaultAccessMode WRITE).')
    }
    if (this.replica.role === 'secondary') {
      throw new FixtureError('ForbiddenOnReadOnlyDatabase',
        `No write operations are allowed on this database. Database '${this.database}' is a read-only secondary copy on ${this.member.name}; ` +
        'send writes to the leader (use a neo4j:// URL so the driver routes them).')
    }
    if (this.record.access === 'read-only') {
      throw new FixtureError('ForbiddenOnReadOnlyDatabase',
        `No write operations are allowed on this database. Database '${this.database}' is read-only (ALTER DATABASE … SET ACCESS READ ONLY).`)
    }
    if (this.lease !== null) {
      this.lease.check()
      return
    }
    if (!this.replica.isLeader) throw this.replica.notLeaderError('writes go to the leader')
    const { lockWaitTimeoutMs, electionTimeoutMs } = this.services.options
    const lease = await this.replica.writeLock.acquire(this.replica.raft.term, lockWaitTimeoutMs, interruption)
    if (this.state !== 'open') {
      lease.release()
      this.ensureOpen()
    }
    this.lease = lease
    try {
      await this.replica.waitUntilWritable(electionTimeoutMs[1])
      lease.check()
      if (lease.term !== this.replica.raft.term) throw this.replica.notLeaderError('the leader changed')
    } catch (error) {
      this.lease = null
      lease.release()
      throw error
    }
  }

  /**
   * Proposes the ops and waits for the commit. A commit that takes longer than
   * commitTimeoutMs makes the leader step down, which settles the proposal one
   * way or the other (never left hanging, never double-applied).
   */
  private async replicate (command: DataCommand): Promise<number> {
    const raft = (this.replica as DatabaseReplica<DataCommand>).raft
    const { scheduler, options } = this.services
    const timer = scheduler.setTimeout(() => raft.stepDown(), options.commitTimeoutMs)
    try {
      const index = await raft.propose(command)
      if (this.replica.appliedIndex < index) await this.replica.waitForApplied(index, options.commitTimeoutMs)
      return index
    } catch (error) {
      if (error instanceof NotLeaderError) {
        throw this.replica.notLeaderError(error.message)
      }
      if (error instanceof CommitOutcomeUnknownError) {
        throw new FixtureError('ReplicationFailure',
          `Commit outcome unknown: the leader ${this.member.name} of '${this.database}' lost its leadership after sending ` +
          `the transaction to other members (${error.message}). It may or may not have been committed; ` +
          'check before retrying a non-idempotent write.')
      }
      throw error
    } finally {
      scheduler.clearTimeout(timer)
    }
  }

  private bookmarkAt (incarnation: number, database: string, index: number): string {
    return encodeBookmark({ database, incarnation, index })
  }
}
