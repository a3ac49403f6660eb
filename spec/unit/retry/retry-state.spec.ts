import { expect } from 'chai'
import fc from 'fast-check'
import { newError, type Neo4jError } from 'neo4j-driver-core'
import { RetriesExhaustedError, tagConnectionLost } from '../../../lib/errors.js'
import { RetryState, type RetryPolicy } from '../../../lib/retry/retry-state.js'

const policy: RetryPolicy = { budgetMs: 2000, initialDelayMs: 100, multiplier: 2, maxDelayMs: 800, jitter: 0 }
const code = (c: string): Neo4jError => newError(c, c as never)
const lost = (): Neo4jError => { const e = code('SessionExpired'); tagConnectionLost(e); return e }

function clock (start = 0) {
  let t = start
  return { now: () => t, random: () => 0.5, advance: (ms: number) => { t += ms } }
}

describe('retry: decision state (injected clock)', () => {
  it('backs off exponentially up to the cap', () => {
    const c = clock()
    const s = new RetryState({ ...policy, budgetMs: 100_000 }, c)
    s.start()
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      const d = s.recordFailure(code('Neo.TransientError.Transaction.BookmarkTimeout'))
      if (d.kind !== 'retry') throw new Error('expected retry')
      delays.push(d.delayMs)
    }
    expect(delays).to.deep.equal([100, 200, 400, 800, 800, 800])
  })

  it('retries at once after a dead connection or a forgotten writer, but never twice in a row', () => {
    const c = clock()
    const s = new RetryState(policy, c)
    s.start()
    const a = s.recordFailure(lost())
    const b = s.recordFailure(lost())
    const d = s.recordFailure(code('Neo.ClientError.Cluster.NotALeader'))
    expect([a, b, d].map(x => x.kind === 'retry' ? [x.fast, x.delayMs] : x.kind)).to.deep.equal([[true, 0], [false, 100], [true, 0]])
  })

  it('stops at once on a non-retryable error and hands it back unchanged', () => {
    const s = new RetryState(policy, clock())
    const syntax = code('Neo.ClientError.Statement.SyntaxError')
    const d = s.recordFailure(syntax)
    expect(d).to.deep.equal({ kind: 'stop', error: syntax })
    const user = new TypeError('bug in work')
    expect(new RetryState(policy, clock()).recordFailure(user)).to.deep.equal({ kind: 'stop', error: user })
  })

  it('never sleeps past the deadline and stops with every attempt once it has passed', () => {
    const c = clock()
    const s = new RetryState({ ...policy, initialDelayMs: 1500, maxDelayMs: 5000 }, c)
    s.start()
    c.advance(1000)
    const d = s.recordFailure(code('Neo.TransientError.Transaction.LeaderSwitch'))
    expect(d.kind === 'retry' && d.delayMs).to.equal(1000) // clamped to the 1000 ms left
    c.advance(1000)
    expect(s.canStartAttempt()).to.equal(false)
    const end = s.recordFailure(code('ServiceUnavailable'))
    expect(end.kind).to.equal('stop')
    const error = (end as { error: Error }).error
    expect(error).to.be.instanceOf(RetriesExhaustedError)
    expect((error as RetriesExhaustedError).attempts).to.have.length(2)
    expect((error as RetriesExhaustedError).code).to.equal('ServiceUnavailable')
  })

  it('always lets the first attempt start, even with a zero budget', () => {
    const s = new RetryState({ ...policy, budgetMs: 0 }, clock())
    expect(s.canStartAttempt()).to.equal(true)
    s.start()
    const unavailable = code('ServiceUnavailable')
    // zero budget = retries off: the original error, not a RetriesExhaustedError
    expect(s.recordFailure(unavailable)).to.deep.equal({ kind: 'stop', error: unavailable })
  })

  it('jitter stays within ±jitter of the base delay', () => {
    for (const r of [0, 0.25, 0.999]) {
      const s = new RetryState({ ...policy, jitter: 0.2, budgetMs: 100_000 }, { now: () => 0, random: () => r })
      const d = s.recordFailure(code('ServiceUnavailable'))
      expect(d.kind === 'retry' && d.delayMs).to.be.within(80, 120)
    }
  })

  it('property: no attempt may start at or after the deadline; every delay fits in the time left', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 500 }), fc.double({ min: 1, max: 3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
      fc.array(fc.tuple(fc.constantFrom('lost', 'leader', 'transient', 'fatal'), fc.integer({ min: 0, max: 400 })), { minLength: 1, maxLength: 60 }),
      (budget, initial, multiplier, jitter, failures) => {
        let t = 0
        const s = new RetryState({ budgetMs: budget, initialDelayMs: initial, multiplier, maxDelayMs: 1000, jitter }, { now: () => t, random: Math.random })
        s.start()
        for (const [kind, attemptMs] of failures) {
          t += attemptMs
          const error = kind === 'lost' ? lost() : kind === 'leader' ? code('Neo.ClientError.Cluster.NotALeader') : kind === 'transient' ? code('Neo.TransientError.Transaction.LeaderSwitch') : code('Neo.ClientError.Statement.SyntaxError')
          const d = s.recordFailure(error)
          if (d.kind === 'stop') return
          expect(d.delayMs).to.be.at.least(0)
          expect(t + d.delayMs).to.be.at.most(budget)
          t += d.delayMs
          if (!s.canStartAttempt()) { expect(t).to.be.at.least(budget); return }
          expect(t).to.be.below(budget)
        }
      }), { numRuns: 400 })
  })
})

describe('retry: waiting for a leader', () => {
  it('polls at a steady short pace while the routing table has no writer', async () => {
    const { tagAwaitingLeader } = await import('../../../lib/errors.js')
    const s = new RetryState({ ...policy, budgetMs: 100_000, initialDelayMs: 50, multiplier: 2, maxDelayMs: 1000 }, clock())
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      const e = code('SessionExpired')
      tagAwaitingLeader(e)
      const d = s.recordFailure(e)
      delays.push(d.kind === 'retry' ? d.delayMs : -1)
    }
    expect(delays).to.deep.equal([25, 25, 25, 25, 25, 25]) // LEADER_POLL_MS, below the backoff's first step
    const other = s.recordFailure(code('Neo.TransientError.Transaction.DeadlockDetected'))
    expect(other.kind === 'retry' && other.delayMs).to.equal(1000) // other causes keep backing off
  })

  it('past the fast-poll window (no majority, not an election) the ordinary backoff applies', async () => {
    const { tagAwaitingLeader } = await import('../../../lib/errors.js')
    const { LEADER_FAST_POLL_WINDOW_MS } = await import('../../../lib/retry/retry-state.js')
    const c = clock()
    const s = new RetryState({ ...policy, budgetMs: 100_000, initialDelayMs: 50, multiplier: 2, maxDelayMs: 1000 }, c)
    const awaiting = (): Neo4jError => { const e = code('SessionExpired'); tagAwaitingLeader(e); return e }
    const first = s.recordFailure(awaiting())
    expect(first.kind === 'retry' && first.delayMs).to.equal(25)
    c.advance(LEADER_FAST_POLL_WINDOW_MS - 1)
    const inside = s.recordFailure(awaiting())
    expect(inside.kind === 'retry' && inside.delayMs).to.equal(25)
    c.advance(1)
    const past = s.recordFailure(awaiting())
    expect(past.kind === 'retry' && past.delayMs).to.equal(200) // 50 × 2^2: the third backoff of this loop
  })

  it('a maxDelay below the poll pace wins (the caller asked for faster retries)', async () => {
    const { tagAwaitingLeader } = await import('../../../lib/errors.js')
    const s = new RetryState({ ...policy, budgetMs: 100_000, initialDelayMs: 5, multiplier: 2, maxDelayMs: 10 }, clock())
    const e = code('SessionExpired')
    tagAwaitingLeader(e)
    const d = s.recordFailure(e)
    expect(d.kind === 'retry' && d.delayMs).to.equal(10)
  })
})
