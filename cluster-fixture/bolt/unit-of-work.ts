// The unit of work a connection is running (one request being handled), and
// its interruption: a RESET "jumps ahead in the message queue, stopping any
// unit of work that happens to be executing" (docs-bolt message.adoc, RESET).
// Neo4j stops a wait for a lock, a bookmark or a commit at once; here every
// backend wait of a request races its unit of work's interruption, and the
// backend gets the unit of work as its Interruption to end the wait itself
// (leave the lock's queue, drop its bookmark waiter). Listeners are kept only
// while something waits, so a request that never waits costs one object.

import type { Interruption } from './backend.js'

/** Thrown to the session when a RESET interrupted the request; it answers IGNORED, never a FAILURE. */
export class Interrupted extends Error {
  constructor () {
    super('Interrupted by RESET')
    this.name = 'Interrupted'
  }
}

export class UnitOfWork implements Interruption {
  /** Backend waits listening for the interruption; made only when one asks. */
  private listeners: Array<() => void> | null = null
  /** The session's own wait in progress (requests are handled one at a time: at most one). */
  private waiting: (() => void) | null = null
  private stopped = false

  get interrupted (): boolean {
    return this.stopped
  }

  onInterrupt (listener: () => void): () => void {
    if (this.stopped) {
      listener()
      return () => {}
    }
    const listeners = this.listeners ??= []
    listeners.push(listener)
    return () => {
      const at = listeners.indexOf(listener)
      if (at >= 0) listeners.splice(at, 1)
    }
  }

  interrupt (): void {
    if (this.stopped) return
    this.stopped = true
    const listeners = this.listeners
    this.listeners = null
    if (listeners !== null) for (const listener of listeners) listener()
    const waiting = this.waiting
    this.waiting = null
    waiting?.()
  }

  /**
   * Waits for `work` unless interrupted first; then throws Interrupted at once.
   * What the abandoned work still produces is handed to `abandon` (e.g. a
   * transaction begun after all, to be rolled back).
   */
  async wait<T> (work: Promise<T>, abandon?: (late: T) => void): Promise<T> {
    const dropLate = (): void => { work.then(late => abandon?.(late), () => {}) }
    if (this.stopped) {
      dropLate()
      throw new Interrupted()
    }
    return await new Promise<T>((resolve, reject) => {
      const interrupted = (): void => {
        dropLate()
        reject(new Interrupted())
      }
      this.waiting = interrupted
      work.then(
        value => { if (this.waiting === interrupted) this.waiting = null; resolve(value) },
        (error: unknown) => { if (this.waiting === interrupted) this.waiting = null; reject(error) })
    })
  }
}
