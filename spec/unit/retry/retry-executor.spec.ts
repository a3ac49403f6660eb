import { expect } from 'chai'
import { newError } from 'neo4j-driver-core'
import { RetriesExhaustedError, tagConnectionLost } from '../../../lib/errors.js'
import { runWithRetry } from '../../../lib/retry/retry-executor.js'
import type { RetryPolicy } from '../../../lib/retry/retry-state.js'

const policy: RetryPolicy = { budgetMs: 1000, initialDelayMs: 100, multiplier: 2, maxDelayMs: 400, jitter: 0 }

function fakeTime () {
  let t = 10_000
  const sleeps: number[] = []
  return { now: () => t, sleep: async (ms: number) => { sleeps.push(ms); t += ms }, advance: (ms: number) => { t += ms }, sleeps }
}

describe('retry: executor over p-retry (fake clock, no network)', () => {
  it('returns the first success and passes attempt number and deadline', async () => {
    const time = fakeTime()
    const seen: Array<[number, number]> = []
    const value = await runWithRetry(async ({ attempt, deadline }) => {
      seen.push([attempt, deadline])
      if (attempt < 3) throw newError('busy', 'Neo.TransientError.Transaction.LockAcquisitionTimeout' as never)
      return 'ok'
    }, { policy, now: time.now, sleep: time.sleep, random: () => 0.5 })
    expect(value).to.equal('ok')
    expect(seen).to.deep.equal([[1, 11_000], [2, 11_000], [3, 11_000]])
    expect(time.sleeps).to.deep.equal([100, 200])
  })

  it('fails with every attempt once the budget is spent, and starts nothing after it', async () => {
    const time = fakeTime()
    let attempts = 0
    try {
      await runWithRetry(async () => {
        attempts++
        time.advance(50)
        throw newError('no leader', 'SessionExpired')
      }, { policy, now: time.now, sleep: time.sleep, random: () => 0.5 })
      expect.fail('should throw')
    } catch (error) {
      expect(error).to.be.instanceOf(RetriesExhaustedError)
      const e = error as RetriesExhaustedError
      expect(e.attempts).to.have.length(attempts)
      expect(e.attempts.every(a => a.atMs <= 1000)).to.equal(true)
      // Each attempt started when the wait after the one before ended.
      expect(e.attempts.map(a => a.startedAtMs)).to.deep.equal([0, 150, 400, 850])
      expect(time.now() - 10_000).to.be.within(1000, 1050)
    }
    // 50 + 100 + 50 + 200 + 50 + 400 + 50 + 100 (clamped) = 1000
    expect(attempts).to.equal(4)
  })

  it('an attempt that started before the deadline and failed after it ends the loop: no attempt starts after the budget', async () => {
    const time = fakeTime()
    let attempts = 0
    const error = await runWithRetry(async () => {
      attempts++
      time.advance(attempts === 1 ? 850 : 300) // the second starts at 950 ms (after a 100 ms wait) and fails past the deadline
      throw newError('no leader', 'SessionExpired')
    }, { policy, now: time.now, sleep: time.sleep, random: () => 0.5 }).catch(e => e)
    expect(error).to.be.instanceOf(RetriesExhaustedError)
    const e = error as RetriesExhaustedError
    expect(attempts).to.equal(2)
    expect(e.attempts.map(a => a.startedAtMs)).to.deep.equal([0, 950])
    expect(e.attempts[1].atMs).to.equal(1250)
  })

  it('surfaces a non-retryable error unchanged after a single attempt', async () => {
    const time = fakeTime()
    const syntax = newError('bad cypher', 'Neo.ClientError.Statement.SyntaxError' as never)
    let attempts = 0
    const outcome = await runWithRetry(async () => { attempts++; throw syntax }, { policy, now: time.now, sleep: time.sleep }).catch(e => e)
    expect(outcome).to.equal(syntax)
    expect(attempts).to.equal(1)
    expect(time.sleeps).to.deep.equal([])
  })

  it('rethrows user errors, TypeErrors and non-Error values exactly', async () => {
    const time = fakeTime()
    const typeError = new TypeError('x is not a function')
    expect(await runWithRetry(async () => { throw typeError }, { policy, now: time.now, sleep: time.sleep }).catch(e => e)).to.equal(typeError)
    expect(await runWithRetry(async () => { throw 'plain string' }, { policy, now: time.now, sleep: time.sleep }).catch(e => e)).to.equal('plain string') // eslint-disable-line no-throw-literal
  })

  it('retries a dead connection at once, then backs off', async () => {
    const time = fakeTime()
    let attempts = 0
    await runWithRetry(async () => {
      attempts++
      if (attempts <= 2) { const e = newError('connection closed', 'SessionExpired'); tagConnectionLost(e); throw e }
      return 1
    }, { policy, now: time.now, sleep: time.sleep, random: () => 0.5 })
    expect(time.sleeps).to.deep.equal([100])
  })
})
