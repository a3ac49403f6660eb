// The clock every driver of one testkit connection reads (the driver's
// internal, test-only `config.clock`), so FakeTimeInstall / FakeTimeTick /
// FakeTimeUninstall (Backend:MockTime) move the driver's time.
//
// Testkit's mock-time tests expect time to stand still between ticks, as the
// official JS backend's fake timers do: test_liveness_check ticks to 1 ms
// before the liveness timeout and expects no RESET, while the requests around
// the tick take real milliseconds. So while installed the clock is frozen and
// only ticks move it; outside, it is real time plus an offset, and
// uninstalling carries on from the frozen value, so the clock never goes
// backwards (the driver reads it for every deadline).
//
// Timers fire when the clock reaches them (a tick past their due time) or
// when their delay has passed in real time, whichever comes first: a tick
// moves the driver's timers like fake timers would, and a frozen clock can
// still never hang an acquisition wait.

import type { DriverClock } from '../lib/index.js'
import { BackendProblem } from './protocol/problems.js'

/** setTimeout's limit; longer delays are clamped like the driver's system clock does. */
const MAX_TIMER_MS = 2 ** 31 - 1

interface ClockTimer {
  readonly dueAt: number
  readonly callback: () => void
  real: NodeJS.Timeout | undefined
}

export class BackendClock implements DriverClock {
  /** Added to Date.now() while not frozen. */
  private offset = 0
  /** The clock's value while FakeTime is installed. */
  private frozenAt: number | undefined
  private readonly timers = new Set<ClockTimer>()

  readonly now = (): number => this.frozenAt ?? Date.now() + this.offset

  readonly setTimeout = (callback: () => void, ms: number): unknown => {
    const delay = Math.min(Math.max(0, Number.isFinite(ms) ? ms : 0), MAX_TIMER_MS)
    const timer: ClockTimer = { dueAt: this.now() + delay, callback, real: undefined }
    timer.real = setTimeout(() => { this.fire(timer) }, delay)
    this.timers.add(timer)
    return timer
  }

  readonly clearTimeout = (handle: unknown): void => {
    const timer = handle as ClockTimer
    if (!this.timers.delete(timer)) return
    clearTimeout(timer.real)
  }

  get installed (): boolean { return this.frozenAt !== undefined }

  /** Timers waiting to fire (for tests). */
  get pendingTimers (): number { return this.timers.size }

  /** FakeTimeInstall: time stands still from now on. Installing twice keeps the frozen value. */
  install (): void {
    this.frozenAt ??= this.now()
  }

  /** FakeTimeTick: move the frozen clock forward and fire the timers it reached, earliest first. */
  tick (incrementMs: number): void {
    if (this.frozenAt === undefined) throw new BackendProblem('FakeTimeTick: fake time is not installed (send FakeTimeInstall first)')
    if (!Number.isFinite(incrementMs) || incrementMs < 0) throw new BackendProblem(`FakeTimeTick: incrementMs must be a non-negative number, got ${String(incrementMs)}`)
    this.frozenAt += incrementMs
    const now = this.frozenAt
    const due = [...this.timers].filter(timer => timer.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt)
    const failures: unknown[] = []
    for (const timer of due) {
      try {
        this.fire(timer)
      } catch (error) {
        failures.push(error)
      }
    }
    if (failures.length > 0) {
      throw new BackendProblem(`FakeTimeTick: ${failures.length} driver timer callback(s) threw: ${failures.map(String).join('; ')}`)
    }
  }

  /** FakeTimeUninstall: real time flows again, continuing from the frozen value. */
  uninstall (): void {
    if (this.frozenAt === undefined) return
    this.offset = this.frozenAt - Date.now()
    this.frozenAt = undefined
  }

  private fire (timer: ClockTimer): void {
    // Cleared, or already fired by the other path (tick vs real timer).
    if (!this.timers.delete(timer)) return
    clearTimeout(timer.real)
    timer.callback()
  }
}
