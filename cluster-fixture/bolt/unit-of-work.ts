// The unit of work a connection is running (one request being handled), and
// its interruption: a RESET "jumps ahead in the message queue, stopping any
// unit of work that happens to be executing" (docs-bolt message.adoc, RESET).
// Neo4j stops a wait for a lock, a bookmark or a commit at once; here every
// backend wait of a request races its unit of work's interruption, and the
// backend gets an AbortSignal to end the wait itself (remove its lock or
// bookmark waiter). Most requests never wait, so the AbortController is only
// made when a wait asks for the signal.

/** Thrown to the session when a RESET interrupted the request; it answers IGNORED, never a FAILURE. */
export class Interrupted extends Error {
  constructor () {
    super('Interrupted by RESET')
    this.name = 'Interrupted'
  }
}

export class UnitOfWork {
  private controller: AbortController | null = null
  private readonly onInterrupt = new Set<() => void>()
  private stopped = false

  get interrupted (): boolean {
    return this.stopped
  }

  /** Aborted when the work is interrupted. */
  get signal (): AbortSignal {
    this.controller ??= new AbortController()
    if (this.stopped) this.controller.abort()
    return this.controller.signal
  }

  interrupt (): void {
    if (this.stopped) return
    this.stopped = true
    this.controller?.abort()
    for (const listener of [...this.onInterrupt]) listener()
    this.onInterrupt.clear()
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
      const onInterrupt = (): void => {
        dropLate()
        reject(new Interrupted())
      }
      this.onInterrupt.add(onInterrupt)
      work.then(
        value => { this.onInterrupt.delete(onInterrupt); resolve(value) },
        (error: unknown) => { this.onInterrupt.delete(onInterrupt); reject(error) })
    })
  }
}
