// Time for Raft, injected so that the same node code runs on real timers in the
// cluster and on a deterministic fake clock in the safety simulations.

export interface TimerHandle { readonly id: number }

export interface Scheduler {
  /** Milliseconds on this scheduler's clock (monotonic for the real one). */
  now: () => number
  setTimeout: (callback: () => void, ms: number) => TimerHandle
  clearTimeout: (handle: TimerHandle | null | undefined) => void
}

/**
 * Node's timers. Timers with a delay are unref'd: Raft alone never keeps a
 * process alive (the Bolt listeners do), so a test that forgets `close()`
 * still exits.
 *
 * Zero delays (every in-process network delivery) are NOT unref'd. Node keeps
 * the event loop from blocking in its poll phase only for ref'd immediates: an
 * unref'd one waits until some unrelated I/O or timer wakes the loop. On an
 * otherwise quiet member that was the next heartbeat or discovery ping, so
 * each Raft hop cost a few milliseconds, a COMMIT 4–9 ms, and pipelined
 * writers (which leave no client traffic to wake the loop while they queue on
 * the write lock) were 3–4× slower than writers that waited for BEGIN. A ref'd
 * immediate holds the process only until it runs, so exit is not delayed.
 */
export class RealScheduler implements Scheduler {
  private nextId = 1
  /** Cancel functions of pending timers by id. */
  private readonly timers = new Map<number, () => void>()

  now (): number {
    return performance.now()
  }

  /** A zero delay runs on the next turn of the event loop (setImmediate), never synchronously. */
  setTimeout (callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++
    const run = (): void => {
      this.timers.delete(id)
      callback()
    }
    if (ms <= 0) {
      const immediate = setImmediate(run)
      this.timers.set(id, () => clearImmediate(immediate))
    } else {
      const timer = setTimeout(run, ms)
      timer.unref()
      this.timers.set(id, () => clearTimeout(timer))
    }
    return { id }
  }

  clearTimeout (handle: TimerHandle | null | undefined): void {
    if (handle == null) return
    const cancel = this.timers.get(handle.id)
    if (cancel !== undefined) {
      cancel()
      this.timers.delete(handle.id)
    }
  }

  /** Cancels everything still pending (used by cluster close). */
  clearAll (): void {
    for (const cancel of this.timers.values()) cancel()
    this.timers.clear()
  }
}

interface FakeTimer { id: number, at: number, seq: number, callback: () => void }

/**
 * A virtual clock: nothing happens until `advance` or `runUntil` moves time.
 * Timers due at the same instant fire in the order they were set, so a run
 * is a pure function of the seed that produced its inputs.
 */
export class FakeScheduler implements Scheduler {
  private clock = 0
  private nextId = 1
  private seq = 0
  private readonly pending = new Map<number, FakeTimer>()

  now (): number {
    return this.clock
  }

  setTimeout (callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++
    this.pending.set(id, { id, at: this.clock + Math.max(0, ms), seq: this.seq++, callback })
    return { id }
  }

  clearTimeout (handle: TimerHandle | null | undefined): void {
    if (handle != null) this.pending.delete(handle.id)
  }

  get pendingCount (): number {
    return this.pending.size
  }

  /** Fires, in time order, every timer due within the next `ms` milliseconds. */
  advance (ms: number): void {
    const until = this.clock + ms
    for (;;) {
      const next = this.earliest()
      if (next === undefined || next.at > until) break
      this.fire(next)
    }
    this.clock = until
  }

  /**
   * Advances until `done()` holds (checked after every timer) or `maxMs` of
   * virtual time pass. Returns whether `done()` became true.
   */
  runUntil (done: () => boolean, maxMs: number): boolean {
    const until = this.clock + maxMs
    if (done()) return true
    for (;;) {
      const next = this.earliest()
      if (next === undefined || next.at > until) {
        this.clock = until
        return done()
      }
      this.fire(next)
      if (done()) return true
    }
  }

  private fire (timer: FakeTimer): void {
    this.pending.delete(timer.id)
    this.clock = Math.max(this.clock, timer.at)
    timer.callback()
  }

  private earliest (): FakeTimer | undefined {
    let best: FakeTimer | undefined
    for (const timer of this.pending.values()) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer
    }
    return best
  }
}
