// The per-database write lock on a leader. Writes are serialized: a write
// transaction takes the lock at its first updating statement and keeps it
// until its commit is applied (or it rolls back), so the next writer computes
// its changes on top of the previous one. Leadership loss revokes every lease.

import type { Interruption } from '../bolt/backend.js'
import { FixtureError } from '../errors.js'
import type { Scheduler, TimerHandle } from '../raft/index.js'

export class WriteLease {
  revokedBy: FixtureError | null = null
  released = false

  constructor (private readonly lock: WriteLock, readonly term: number) {}

  /** Throws the revocation error when leadership was lost since the lease was granted. */
  check (): void {
    if (this.revokedBy !== null) throw this.revokedBy
  }

  release (): void {
    if (this.released) return
    this.released = true
    this.lock.handOver(this)
  }
}

interface Waiter {
  term: number
  grant: (lease: WriteLease) => void
  fail: (error: FixtureError) => void
  timer: TimerHandle | null
}

export class WriteLock {
  private holder: WriteLease | null = null
  private readonly waiters: Waiter[] = []

  constructor (private readonly scheduler: Scheduler, private readonly database: string) {}

  get isHeld (): boolean {
    return this.holder !== null
  }

  get queueLength (): number {
    return this.waiters.length
  }

  /**
   * Waits at most `timeoutMs` for the lock, in arrival order. An interruption
   * (the client's RESET) leaves the queue at once, rejecting with `interrupted()`.
   */
  acquire (term: number, timeoutMs: number, interruption?: Interruption): Promise<WriteLease> {
    if (interruption?.interrupted === true) return Promise.reject(interrupted())
    if (this.holder === null && this.waiters.length === 0) {
      this.holder = new WriteLease(this, term)
      return Promise.resolve(this.holder)
    }
    return new Promise<WriteLease>((resolve, reject) => {
      let unsubscribe = (): void => {}
      const leave = (): boolean => {
        const at = this.waiters.indexOf(waiter)
        if (at < 0) return false
        this.waiters.splice(at, 1)
        return true
      }
      const waiter: Waiter = {
        term,
        grant: lease => { unsubscribe(); resolve(lease) },
        fail: error => { unsubscribe(); reject(error) },
        timer: null
      }
      waiter.timer = this.scheduler.setTimeout(() => {
        leave()
        unsubscribe()
        reject(new FixtureError('LockAcquisitionTimeout',
          `Could not acquire the write lock of database '${this.database}' within ${timeoutMs} ms: ` +
          'another transaction is writing to it. Retry, or keep write transactions short.'))
      }, timeoutMs)
      this.waiters.push(waiter)
      if (interruption !== undefined) {
        unsubscribe = interruption.onInterrupt(() => {
          if (!leave()) return
          this.scheduler.clearTimeout(waiter.timer)
          reject(interrupted())
        })
      }
    })
  }

  /** Called by a lease when released: the next waiter, if any, gets the lock. */
  handOver (lease: WriteLease): void {
    if (this.holder !== lease) return
    this.holder = null
    const next = this.waiters.shift()
    if (next === undefined) return
    this.scheduler.clearTimeout(next.timer)
    this.holder = new WriteLease(this, next.term)
    next.grant(this.holder)
  }

  /** Leadership lost: the holder's lease is revoked and every waiter fails with `error`. */
  revokeAll (error: FixtureError): void {
    if (this.holder !== null) {
      this.holder.revokedBy = error
      this.holder = null
    }
    for (const waiter of this.waiters.splice(0)) {
      this.scheduler.clearTimeout(waiter.timer)
      waiter.fail(error)
    }
  }
}

/** Why a wait ended early: the client's RESET interrupted its request. */
export function interrupted (): FixtureError {
  return new FixtureError('Terminated', 'The transaction was interrupted by the client (RESET) while it waited')
}
