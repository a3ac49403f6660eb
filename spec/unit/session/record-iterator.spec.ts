// `for await` over a result uses our record iterator (record-iterator.ts), in
// place of core's. It must behave as core's does: the same records, summary
// and errors for any mix of next / peek / return, and the same flow control.
// Core's own iterator is the reference here, called on the same kind of
// result, fed by the same scripted stream.

import { expect } from 'chai'
import fc from 'fast-check'
import { newError, ProtocolVersion, Record as Neo4jRecord, Result, ResultSummary } from 'neo4j-driver-core'
import { createResult } from '../../../lib/session/results.js'

interface Subscriber {
  onKeys?: (keys: string[]) => void
  onNext?: (record: Neo4jRecord) => void
  onCompleted?: (metadata: unknown) => void
  onError?: (error: Error) => void
}

/**
 * A Bolt stream that sends `records` records (field `i` = 0, 1, …) in
 * batches of `batch` per macrotask while resumed, then a summary or a
 * failure. Cancel (DISCARD) drops what is left and ends the stream.
 */
class ScriptedStream {
  paused = false
  pauses = 0
  emitted = 0
  ended = false
  private subscriber: Subscriber | undefined
  private cancelled = false
  private scheduled = false

  constructor (private readonly records: number, private readonly end: 'success' | 'failure', private readonly batch: number) {}

  subscribe (subscriber: Subscriber): void {
    this.subscriber = subscriber
    subscriber.onKeys?.(['i'])
    this.schedule()
  }

  pause (): void { this.paused = true; this.pauses++ }
  resume (): void { this.paused = false; this.schedule() }
  cancel (): void { this.cancelled = true; this.schedule() }

  private schedule (): void {
    if (this.scheduled || this.ended || this.subscriber === undefined) return
    this.scheduled = true
    setImmediate(() => { this.scheduled = false; this.emit() })
  }

  private emit (): void {
    const subscriber = this.subscriber as Subscriber
    if (this.paused && !this.cancelled) return
    for (let sent = 0; sent < this.batch && this.emitted < this.records && !this.cancelled; sent++) {
      subscriber.onNext?.(new Neo4jRecord(['i'], [this.emitted++]))
    }
    if (this.emitted === this.records || this.cancelled) {
      this.ended = true
      if (this.end === 'failure') subscriber.onError?.(newError('division by zero', 'Neo.ClientError.Statement.ArithmeticError'))
      else subscriber.onCompleted?.({ type: 'r' })
      return
    }
    this.schedule()
  }
}

function scriptedResult (stream: ScriptedStream, fetchSize: number): Result {
  const connection = Promise.resolve({ getProtocolVersion: () => new ProtocolVersion(5, 7) })
  return createResult(Promise.resolve(stream as never), 'UNWIND range(0, $n) AS i RETURN i', {}, connection, fetchSize)
}

type Op = 'next' | 'peek' | 'return'
type Iterator = AsyncIterator<unknown, unknown> & { peek: () => Promise<IteratorResult<unknown, unknown>> }

const coreIterator = (result: Result): Iterator => (Result.prototype[Symbol.asyncIterator] as () => Iterator).call(result)
const ourIterator = (result: Result): Iterator => result[Symbol.asyncIterator]() as Iterator

function describeValue (value: unknown): unknown {
  if (value instanceof Neo4jRecord) return value.get('i')
  if (value instanceof ResultSummary) return `summary of ${String(value.query.text)}`
  return value
}

/** Run the ops one after another; each outcome as a string. Stops at the first error (core's iterator then waits forever). */
async function play (iterator: Iterator, ops: Op[]): Promise<string[]> {
  const outcomes: string[] = []
  for (const op of ops) {
    const call = op === 'next' ? iterator.next() : op === 'peek' ? iterator.peek() : (iterator.return as () => Promise<IteratorResult<unknown>>)()
    let timer: NodeJS.Timeout | undefined
    const hang = new Promise<string>(resolve => { timer = setTimeout(() => resolve('hang'), 2_000) })
    const outcome = await Promise.race([
      call.then(({ done, value }) => `${op}: ${done === true ? 'done' : 'value'} ${String(describeValue(value))}`, (error: Error) => `${op}: error ${error.message}`),
      hang
    ])
    clearTimeout(timer)
    outcomes.push(outcome)
    if (outcome === 'hang' || outcome.includes(': error ')) break
  }
  return outcomes
}

describe('record iterator (for await over a result)', function () {
  this.timeout(120_000)

  it('gives what core\'s iterator gives for any stream and any mix of next, peek and return', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({
        records: fc.integer({ min: 0, max: 30 }),
        end: fc.constantFrom<'success' | 'failure'>('success', 'failure'),
        batch: fc.integer({ min: 1, max: 8 }),
        fetchSize: fc.constantFrom(-1, 1, 2, 5, 10, 1000),
        ops: fc.array(fc.constantFrom<Op>('next', 'next', 'next', 'peek', 'return'), { minLength: 1, maxLength: 40 })
      }),
      async ({ records, end, batch, fetchSize, ops }) => {
        const expected = await play(coreIterator(scriptedResult(new ScriptedStream(records, end, batch), fetchSize)), ops)
        const actual = await play(ourIterator(scriptedResult(new ScriptedStream(records, end, batch), fetchSize)), ops)
        expect(actual).to.deep.equal(expected)
        expect(actual).to.not.include('hang')
      }
    ), { numRuns: 150 })
  })

  it('streams every record of a long result in order, then the summary', async () => {
    const stream = new ScriptedStream(5_000, 'success', 100)
    const seen: number[] = []
    for await (const record of scriptedResult(stream, 1000)) seen.push(record.get('i') as number)
    expect(seen).to.have.length(5_000)
    expect(seen.every((value, index) => value === index)).to.equal(true)
  })

  for (const [name, iterate] of [['core', coreIterator], ['ours', ourIterator]] as const) {
    it(`pauses the stream at the high watermark and resumes it at the low one (${name})`, async () => {
      const stream = new ScriptedStream(200, 'success', 1)
      const iterator = iterate(scriptedResult(stream, 10)) // high 7, low 3
      let consumed = 0
      let mostAhead = 0
      for (let step = 0; step < 1_000; step++) {
        const { done } = await iterator.next()
        if (done === true) break
        consumed++
        // A slow consumer: the stream runs ahead until flow control stops it.
        for (let wait = 0; wait < 3; wait++) await new Promise(resolve => setImmediate(resolve))
        mostAhead = Math.max(mostAhead, stream.emitted - consumed)
      }
      expect(consumed).to.equal(200)
      expect(stream.pauses).to.be.greaterThan(1)
      expect(mostAhead).to.be.at.most(8)
    })
  }

  it('after an error, every later next() and peek() gives that error (core\'s would wait forever)', async () => {
    const iterator = ourIterator(scriptedResult(new ScriptedStream(3, 'failure', 10), 1000))
    const values: unknown[] = []
    let error: Error | undefined
    try {
      for (;;) {
        const { done, value } = await iterator.next()
        if (done === true) break
        values.push(describeValue(value))
      }
    } catch (caught) { error = caught as Error }
    expect(values).to.deep.equal([0, 1, 2])
    expect(error?.message).to.equal('division by zero')
    for (const again of [iterator.next(), iterator.peek()]) {
      const outcome = await again.then(() => 'resolved', (e: Error) => e)
      expect(outcome).to.equal(error)
    }
  })

  it('a consumed result gives an iterator that rejects', async () => {
    const result = scriptedResult(new ScriptedStream(2, 'success', 10), 1000)
    await result
    const iterator = ourIterator(result)
    for (const call of [iterator.next(), iterator.peek()]) {
      const outcome = await call.then(() => 'resolved', (e: Error) => e.message)
      expect(outcome).to.equal('Result is already consumed')
    }
  })

  it('return(value) ends the stream early and stands for its summary, as core\'s', async () => {
    for (const iterate of [coreIterator, ourIterator]) {
      const stream = new ScriptedStream(1_000, 'success', 5)
      const iterator = iterate(scriptedResult(stream, 10))
      expect(describeValue((await iterator.next()).value)).to.equal(0)
      const ended = await (iterator.return as (value: unknown) => Promise<IteratorResult<unknown>>)('stopped')
      expect(ended).to.deep.equal({ done: true, value: 'stopped' })
      expect(await iterator.next()).to.deep.equal({ done: true, value: 'stopped' })
      expect(stream.emitted).to.be.below(1_000)
    }
  })

  it('applies the result\'s record mapping (Result.as) to each record', async () => {
    const result = scriptedResult(new ScriptedStream(3, 'success', 10), 1000).as({ i: { asNumber: true } } as never)
    const seen: unknown[] = []
    for await (const value of result) seen.push(value)
    expect(seen).to.deep.equal([{ i: 0 }, { i: 1 }, { i: 2 }])
  })
})
