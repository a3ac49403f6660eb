// A DriverClock for unit tests: time moves only when the test says so, and
// timers fire in order as it passes them.

import type { DriverClock } from '../../../lib/clock.js'

interface Timer { at: number, callback: () => void, id: number }

export class FakeClock implements DriverClock {
  private time: number
  private timers: Timer[] = []
  private nextId = 1

  constructor (start = 1_000_000) {
    this.time = start
  }

  now = (): number => this.time

  setTimeout = (callback: () => void, ms: number): unknown => {
    const timer = { at: this.time + Math.max(0, ms), callback, id: this.nextId++ }
    this.timers.push(timer)
    return timer.id
  }

  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter(t => t.id !== handle)
  }

  /** Timers not fired yet. */
  get pending (): number { return this.timers.length }

  /** Move time forward by `ms`, firing every timer due on the way (bounded: at most 10 000 firings). */
  advance (ms: number): void {
    const until = this.time + ms
    for (let fired = 0; fired < 10_000; fired++) {
      const due = this.timers.filter(t => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (due === undefined) break
      this.timers = this.timers.filter(t => t !== due)
      this.time = Math.max(this.time, due.at)
      due.callback()
    }
    this.time = until
  }
}
