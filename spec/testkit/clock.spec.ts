// The backend's clock (Backend:MockTime) on its own: frozen while installed,
// moved only by ticks, never backwards across install/uninstall, timers fired
// by a tick that reaches them or by real time, whichever comes first.

import { expect } from 'chai'
import fc from 'fast-check'
import { BackendClock } from '../../testkit-backend/clock.js'
import { BackendProblem } from '../../testkit-backend/protocol/problems.js'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** Waits (bounded) until `done()` holds. */
async function until (done: () => boolean, boundMs = 5_000): Promise<void> {
  const deadline = Date.now() + boundMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${boundMs} ms`)
    await sleep(5)
  }
}

describe('testkit backend: fake-time clock', () => {
  it('is real time until installed, then stands still while real time passes', async () => {
    const clock = new BackendClock()
    const before = Date.now()
    const now = clock.now()
    expect(now).to.be.at.least(before).and.at.most(Date.now())
    clock.install()
    const frozen = clock.now()
    await sleep(30)
    expect(clock.now()).to.equal(frozen)
    clock.install() // a second install keeps the frozen value
    expect(clock.now()).to.equal(frozen)
  })

  it('moves only by ticks while installed, and carries on from there (never back to real time) once uninstalled', async () => {
    const clock = new BackendClock()
    clock.install()
    const frozen = clock.now()
    clock.tick(1_999)
    expect(clock.now()).to.equal(frozen + 1_999)
    clock.tick(3_600_000)
    const ticked = frozen + 3_601_999
    expect(clock.now()).to.equal(ticked)
    clock.uninstall()
    expect(clock.now()).to.be.at.least(ticked)
    await sleep(20)
    expect(clock.now(), 'real time flows again').to.be.above(ticked)
    expect(clock.installed).to.equal(false)
  })

  it('never goes backwards, whatever sequence of installs, ticks and uninstalls', () => {
    const op = fc.oneof(
      fc.constant<'install'>('install'),
      fc.constant<'uninstall'>('uninstall'),
      fc.integer({ min: 0, max: 10 ** 9 })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const clock = new BackendClock()
      let last = clock.now()
      for (const o of ops) {
        if (o === 'install') clock.install()
        else if (o === 'uninstall') clock.uninstall()
        else if (clock.installed) clock.tick(o)
        const now = clock.now()
        if (now < last) return false
        last = now
      }
      return true
    }), { numRuns: 300 })
  })

  it('refuses a tick without install, or a negative or non-finite one, as a backend problem', () => {
    const clock = new BackendClock()
    expect(() => { clock.tick(5) }).to.throw(BackendProblem, /not installed/)
    clock.install()
    expect(() => { clock.tick(-1) }).to.throw(BackendProblem, /non-negative/)
    expect(() => { clock.tick(Number.NaN) }).to.throw(BackendProblem, /non-negative/)
  })

  it('fires the timers a tick reaches, earliest first, and only those; a cleared timer never fires', () => {
    const clock = new BackendClock()
    clock.install()
    const fired: string[] = []
    clock.setTimeout(() => fired.push('b'), 60_000)
    clock.setTimeout(() => fired.push('a'), 30_000)
    const cleared = clock.setTimeout(() => fired.push('cleared'), 10_000)
    clock.setTimeout(() => fired.push('late'), 600_000)
    clock.clearTimeout(cleared)
    clock.tick(59_999)
    expect(fired).to.deep.equal(['a'])
    clock.tick(1)
    expect(fired).to.deep.equal(['a', 'b'])
    expect(clock.pendingTimers).to.equal(1)
    clock.tick(10_000_000)
    expect(fired).to.deep.equal(['a', 'b', 'late'])
    expect(clock.pendingTimers).to.equal(0)
  })

  it('still fires a timer after its delay in real time while frozen, exactly once (a frozen clock cannot hang a wait)', async () => {
    const clock = new BackendClock()
    clock.install()
    let calls = 0
    clock.setTimeout(() => { calls++ }, 10)
    await until(() => calls > 0)
    clock.tick(60_000) // reaching it now must not fire it again
    await sleep(20)
    expect(calls).to.equal(1)
    expect(clock.pendingTimers).to.equal(0)
  })

  it('reports a throwing timer callback from a tick, after firing the others', () => {
    const clock = new BackendClock()
    clock.install()
    let other = false
    clock.setTimeout(() => { throw new Error('boom') }, 1)
    clock.setTimeout(() => { other = true }, 2)
    expect(() => { clock.tick(5) }).to.throw(BackendProblem, /boom/)
    expect(other).to.equal(true)
  })
})
