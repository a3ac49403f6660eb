// The bench harness's logic, without timings: statistics, the A/B
// alternation of contenders, the closed-loop counting rules and the failover
// recovery rule. (The figures themselves belong to `npm run bench`.)

import { expect } from 'chai'
import fc from 'fast-check'
import { firstRecovery, WriteLoop, type Ack } from '../../bench/failover.js'
import { boundedWait, closedLoop, streamLoop } from '../../bench/measure.js'
import { profiledLoop } from '../../bench/profile.js'
import { allWorkloads } from '../../bench/workloads.js'
import { roundOrder, trialPlan } from '../../bench/schedule.js'
import { median, perOps, perSecond, ratio, ratioOfMedians, summarize } from '../../bench/stats.js'

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

describe('bench: statistics', () => {
  it('median of an odd count is the middle value, of an even count the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).to.equal(3)
    expect(median([4, 1, 3, 2])).to.equal(2.5)
    expect(median([7])).to.equal(7)
  })

  it('median ignores NaN and infinities, and is NaN with nothing to summarise', () => {
    expect(median([Number.NaN, 2, Infinity, 4, -Infinity])).to.equal(3)
    expect(median([])).to.be.NaN
    expect(median([Number.NaN])).to.be.NaN
  })

  it('summarize gives n, min, median, max over the finite values', () => {
    expect(summarize([3, Number.NaN, 1, 10])).to.deep.equal({ n: 3, min: 1, median: 3, max: 10 })
    const empty = summarize([])
    expect(empty.n).to.equal(0)
    expect(empty.median).to.be.NaN
  })

  it('min ≤ median ≤ max, and the summary does not depend on sample order', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 40 }), fc.nat(), (values, shift) => {
      const s = summarize(values)
      expect(s.min).to.be.at.most(s.median)
      expect(s.median).to.be.at.most(s.max)
      const k = shift % values.length
      const rotated = [...values.slice(k), ...values.slice(0, k)].reverse()
      expect(summarize(rotated)).to.deep.equal(s)
    }))
  })

  it('median resists one disturbed round, the mean would not', () => {
    expect(median([1000, 1010, 990, 1005, 5])).to.equal(1000)
  })

  it('ratio is null against zero or a missing figure, never Infinity or NaN', () => {
    expect(ratio(3, 2)).to.equal(1.5)
    expect(ratio(1, 0)).to.equal(null)
    expect(ratio(Number.NaN, 2)).to.equal(null)
    expect(ratio(2, Infinity)).to.equal(null)
  })

  it('ratioOfMedians compares medians, not means', () => {
    expect(ratioOfMedians([10, 12, 11, 1000], [10, 10, 10])).to.be.closeTo(11.5 / 10, 1e-12)
    expect(ratioOfMedians([], [1])).to.equal(null)
  })

  it('perSecond and perOps scale counts, NaN when there is nothing to divide by', () => {
    expect(perSecond(500, 250)).to.equal(2000)
    expect(perSecond(5, 0)).to.be.NaN
    expect(perOps(3000, 1500, 10_000)).to.equal(20_000)
    expect(perOps(3000, 0, 10_000)).to.be.NaN
  })
})

describe('bench: A/B alternation', () => {
  const contenders = ['ours', 'official', 'raw'] as const

  it('runs even rounds in the given order and odd rounds reversed', () => {
    expect(roundOrder(0, contenders)).to.deep.equal(['ours', 'official', 'raw'])
    expect(roundOrder(1, contenders)).to.deep.equal(['raw', 'official', 'ours'])
    expect(roundOrder(2, contenders)).to.deep.equal(['ours', 'official', 'raw'])
  })

  it('does not modify the list it is given', () => {
    const list = ['a', 'b']
    roundOrder(1, list)
    expect(list).to.deep.equal(['a', 'b'])
  })

  it('over any even number of rounds, every pair runs as often in one order as in the other', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 }), (half, names) => {
      const before = new Map<string, number>()
      for (let round = 0; round < 2 * half; round++) {
        const order = roundOrder(round, names)
        expect([...order].sort()).to.deep.equal([...names].sort())
        for (let i = 0; i < order.length; i++) {
          for (let j = i + 1; j < order.length; j++) before.set(`${order[i]}<${order[j]}`, (before.get(`${order[i]}<${order[j]}`) ?? 0) + 1)
        }
      }
      for (const a of names) {
        for (const b of names) {
          if (a !== b) expect(before.get(`${a}<${b}`) ?? 0).to.equal(before.get(`${b}<${a}`) ?? 0)
        }
      }
    }))
  })

  it('the plan runs workloads one after another, each contender once per round, rounds in order', () => {
    const plan = trialPlan(['w1', 'w2'], contenders, 3)
    expect(plan).to.have.length(2 * 3 * 3)
    expect(plan.slice(0, 9).every((t) => t.workload === 'w1')).to.equal(true)
    for (const workload of ['w1', 'w2']) {
      for (let round = 0; round < 3; round++) {
        const trials = plan.filter((t) => t.workload === workload && t.round === round)
        expect(trials.map((t) => t.contender)).to.deep.equal(roundOrder(round, contenders))
      }
    }
    const rounds = plan.filter((t) => t.workload === 'w2').map((t) => t.round)
    expect(rounds).to.deep.equal([...rounds].sort((a, b) => a - b))
  })

  it('refuses a plan without rounds and a negative round', () => {
    expect(() => trialPlan(['w'], contenders, 0)).to.throw(RangeError)
    expect(() => roundOrder(-1, contenders)).to.throw(RangeError)
    expect(() => roundOrder(0.5, contenders)).to.throw(RangeError)
  })
})

describe('bench: closed-loop counting', () => {
  it('never has more operations in flight than callers, and hands each caller its own index', async () => {
    let inFlight = 0
    let peak = 0
    const workersSeen = new Set<number>()
    const result = await closedLoop({
      concurrency: 4,
      durationMs: 30,
      op: async (worker) => {
        workersSeen.add(worker)
        inFlight++
        peak = Math.max(peak, inFlight)
        await sleep(2)
        inFlight--
      }
    })
    expect(peak).to.equal(4)
    expect([...workersSeen].sort()).to.deep.equal([0, 1, 2, 3])
    expect(result.ops).to.be.greaterThan(0)
    expect(result.drained).to.equal(true)
  })

  it('counts failures instead of throwing, and keeps the first message', async () => {
    let calls = 0
    const result = await closedLoop({
      concurrency: 1,
      durationMs: 40,
      errorPauseMs: 1,
      op: async () => {
        calls++
        await sleep(1)
        if (calls % 2 === 0) throw new Error(`failure ${calls}`)
      }
    })
    expect(result.errors).to.be.greaterThan(0)
    expect(result.firstError).to.equal('failure 2')
    expect(result.ops + result.errors).to.be.at.most(calls)
  })

  it('an operation that ends after the window counts in opsTotal (for per-operation wire counts) but not in ops', async () => {
    // Every operation takes far longer than the window: with minOps 0 the window closes with none counted.
    const result = await closedLoop({ concurrency: 2, durationMs: 5, minOps: 0, op: async () => { await sleep(60) } })
    expect(result.ops).to.equal(0)
    expect(result.opsTotal).to.equal(2)
  })

  it('stays open past the duration until minOps operations completed, so a slow machine still yields a figure', async () => {
    const result = await closedLoop({ concurrency: 3, durationMs: 5, minOps: 3, op: async () => { await sleep(40) } })
    expect(result.ops).to.be.at.least(3)
    expect(result.elapsedMs).to.be.at.least(35)
  })

  it('streaming (profile mode): one caller, queries back to back, an operation per 1,000 rows; a short query is a failure', async () => {
    const calls: number[] = []
    const result = await streamLoop(async (rows) => { calls.push(rows); await sleep(2); return rows }, 2_500, 20)
    expect(calls.every((rows) => rows === 2_500)).to.equal(true)
    expect(result.ops % 2.5).to.equal(0)
    expect(result.ops).to.be.at.least(2.5)
    expect(result.opsTotal).to.equal(calls.length * 2.5)
    let first = true
    const short = await streamLoop(async (rows) => { await sleep(2); const got = first ? rows - 1 : rows; first = false; return got }, 10, 10)
    expect(short.errors).to.equal(1)
    expect(short.firstError).to.equal('expected 10 rows, got 9')
    await streamLoop(async () => 0, 0, 10).then(() => expect.fail('0 rows accepted'), (error: Error) => expect(error).to.be.instanceOf(RangeError))
  })

  it('profile mode loops on a workload\'s operation at its concurrency, or streams its query', () => {
    const workloads = allWorkloads(1_000)
    const stream = workloads.find((w) => w.kind === 'stream')
    const read = workloads.find((w) => w.id === 'read-return-1-c16')
    expect(stream !== undefined && profiledLoop(stream)).to.deep.equal({ streamRows: 1_000 })
    expect(read !== undefined && profiledLoop(read)).to.deep.equal({ op: 'read-return-1', concurrency: 16 })
  })

  it('gives up waiting for a stuck operation at the drain bound and says so', async () => {
    let release: () => void = () => undefined
    const stuck = new Promise<void>((resolve) => { release = resolve })
    const result = await closedLoop({ concurrency: 1, durationMs: 5, minOps: 0, maxDurationMs: 5, drainTimeoutMs: 20, op: async () => { await stuck } })
    expect(result.drained).to.equal(false)
    release()
  })

  it('rejects a loop with no callers or no window', async () => {
    for (const bad of [{ concurrency: 0, durationMs: 10 }, { concurrency: 1.5, durationMs: 10 }, { concurrency: 1, durationMs: 0 }]) {
      let failed = false
      try { await closedLoop({ ...bad, op: async () => undefined }) } catch (error) { failed = error instanceof RangeError }
      expect(failed, JSON.stringify(bad)).to.equal(true)
    }
  })

  it('boundedWait tells settled from still pending, and a rejection counts as settled', async () => {
    expect(await boundedWait(Promise.resolve(), 50)).to.equal(true)
    expect(await boundedWait(Promise.reject(new Error('x')), 50)).to.equal(true)
    expect(await boundedWait(new Promise(() => undefined), 5)).to.equal(false)
  })
})

describe('bench: failover recovery rule', () => {
  const acks: Ack[] = [
    { at: 100, server: 'a:1' },
    { at: 200, server: 'a:1' }, // after the stop, from the stopped leader: an answer already on its way
    { at: 900, server: 'b:2' },
    { at: 950, server: 'b:2' }
  ]

  it('is the first ack after the stop from another server', () => {
    expect(firstRecovery(acks, 150, 'a:1')).to.deep.equal({ at: 900, server: 'b:2' })
  })

  it('ignores acks before the stop, whoever sent them', () => {
    expect(firstRecovery([{ at: 100, server: 'b:2' }], 150, 'a:1')).to.equal(null)
  })

  it('is null while only the stopped server has answered', () => {
    expect(firstRecovery(acks.slice(0, 2), 150, 'a:1')).to.equal(null)
  })

  it('the write loop measures from the stop to the new leader\'s first ack and counts failures in between', async () => {
    let server = 'old:1'
    let failNext = 0
    const loop = new WriteLoop(async () => {
      await sleep(1)
      if (failNext > 0) { failNext--; throw new Error('lost') }
      return server
    })
    loop.start()
    expect(await loop.waitForAcks(3, 2000)).to.equal(true)
    const stoppedAt = performance.timeOrigin + performance.now()
    failNext = 2
    server = 'new:2'
    const recovery = await loop.recovery(stoppedAt, 'old:1', 2000)
    expect(await loop.stop(2000)).to.equal(true)
    expect(recovery.failoverMs).to.be.greaterThan(0)
    expect(recovery.errorsAfterStop).to.equal(2)
    expect(recovery.firstErrorAfterStop).to.equal('Error: lost')
  })

  it('the write loop gives up at its bound when no other server ever answers, and still reports the failures', async () => {
    let calls = 0
    const loop = new WriteLoop(async () => {
      await sleep(1)
      if (++calls > 3) throw new Error('down')
      return 'old:1'
    })
    loop.start()
    expect(await loop.waitForAcks(3, 2000)).to.equal(true)
    const recovery = await loop.recovery(performance.timeOrigin + performance.now(), 'old:1', 50)
    await loop.stop(1000)
    expect(recovery.failoverMs).to.equal(null)
    expect(recovery.errorsAfterStop).to.be.greaterThan(0)
    expect(recovery.firstErrorAfterStop).to.equal('Error: down')
  })
})
