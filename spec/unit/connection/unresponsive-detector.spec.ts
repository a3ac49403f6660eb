// The black-holed-member decision, with an injected clock and scripted probes:
// when to probe, single flight per member, what a failed or answered probe
// leads to, that bytes reset the silence clock, and that nothing runs while
// no request is outstanding.

import { expect } from 'chai'
import { ReceiveClock } from '../../../lib/connection/receive-clock.js'
import { UnresponsiveMemberDetector, type ProbeEvent, type SilenceSource } from '../../../lib/connection/unresponsive-detector.js'
import { FakeClock } from '../support/fake-clock.js'

const tick = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }

class Unreachable extends Error {}

interface PendingProbe { member: string, answer: () => void, fail: (error: Error) => void }

function setup (probeAfterMs = 1000, maxProbeIntervalMs = 8000,
  secondOpinion?: (member: string, signal: AbortSignal) => Promise<Error | undefined>) {
  const clock = new FakeClock()
  const probes: PendingProbe[] = []
  const unresponsive: Array<{ member: string, cause: Error, silentMs: number }> = []
  const events: ProbeEvent[] = []
  const detector = new UnresponsiveMemberDetector({
    probeAfterMs,
    maxProbeIntervalMs,
    clock,
    probe: async (member) => await new Promise<void>((resolve, reject) => { probes.push({ member, answer: resolve, fail: reject }) }),
    isUnreachable: (error) => error instanceof Unreachable,
    secondOpinion,
    onUnresponsive: (member, cause, silentMs) => { unresponsive.push({ member, cause, silentMs }) },
    onProbe: (event) => { events.push(event) }
  })
  /** A connection to `member`, watched, its receive clock driven by the test. */
  const connection = (member: string): ReceiveClock => {
    const receive = new ReceiveClock(clock.now, () => { detector.awaiting() })
    const source: SilenceSource = { member, silentSince: () => receive.silentSince() }
    detector.watch(source)
    return receive
  }
  return { clock, detector, probes, unresponsive, events, connection }
}

describe('connection: unresponsive-member detector', () => {
  it('does nothing while no request is outstanding: no timer, no probe (an idle driver stays idle)', async () => {
    const { clock, probes, connection } = setup()
    connection('a:1'); connection('b:1')
    clock.advance(60_000)
    await tick()
    expect(probes).to.have.length(0)
    expect(clock.pending).to.equal(0)
  })

  it('probes a member once its request has been silent for probeAfter, not before', async () => {
    const { clock, probes, connection } = setup()
    connection('a:1').requestsOutstanding()
    clock.advance(999)
    expect(probes).to.have.length(0)
    clock.advance(1)
    expect(probes.map(p => p.member)).to.deep.equal(['a:1'])
  })

  it('a failed probe declares the member unresponsive, with the silence it measured', async () => {
    const { clock, probes, unresponsive, events, connection } = setup()
    connection('a:1').requestsOutstanding()
    clock.advance(1000)
    clock.advance(700) // the probe takes a while to give up (connectionTimeout)
    probes[0]?.fail(new Unreachable('could not connect within 700 ms'))
    await tick()
    expect(unresponsive).to.have.length(1)
    expect(unresponsive[0]?.member).to.equal('a:1')
    expect(unresponsive[0]?.cause.message).to.include('700 ms')
    expect(unresponsive[0]?.silentMs).to.equal(1700)
    expect(events.map(e => e.outcome)).to.deep.equal(['unresponsive'])
  })

  it('a second opinion that the member was replaced (another leader elected) condemns it before the probe gives up', async () => {
    let replaced: (error: Error) => void = () => {}
    const signals: AbortSignal[] = []
    const { clock, probes, unresponsive, events, connection } = setup(1000, 8000, async (_member, signal) => {
      signals.push(signal)
      return await new Promise<Error | undefined>(resolve => { replaced = resolve })
    })
    connection('a:1').requestsOutstanding()
    clock.advance(1000)
    expect(probes).to.have.length(1)
    clock.advance(200)
    replaced(new Error('the other members elected b:1 leader'))
    await tick()
    expect(unresponsive.map(u => u.cause.message)).to.deep.equal(['the other members elected b:1 leader'])
    expect(unresponsive[0]?.silentMs).to.equal(1200)
    expect(signals[0]?.aborted).to.equal(true) // decided: the second opinion may stop asking
    probes[0]?.fail(new Unreachable('late')) // the probe's own verdict, when it comes, changes nothing
    await tick()
    expect(unresponsive).to.have.length(1)
    expect(events.map(e => e.outcome)).to.deep.equal(['unresponsive'])
  })

  it('a probe that answers ends the second opinion (aborted), and no opinion leaves the verdict to the probe', async () => {
    const signals: AbortSignal[] = []
    const { clock, probes, unresponsive, connection } = setup(1000, 8000, async (_member, signal) => {
      signals.push(signal)
      return undefined
    })
    connection('a:1').requestsOutstanding()
    clock.advance(1000)
    await tick()
    expect(unresponsive).to.have.length(0)
    probes[0]?.answer()
    await tick()
    expect(signals[0]?.aborted).to.equal(true)
    expect(unresponsive).to.have.length(0)
  })

  it('bytes from the server reset the silence clock: a long stream is not silence', async () => {
    const { clock, probes, connection } = setup()
    const receive = connection('a:1')
    receive.requestsOutstanding()
    for (let i = 0; i < 40; i++) { clock.advance(500); receive.received() }
    expect(probes).to.have.length(0)
    clock.advance(1000)
    expect(probes).to.have.length(1)
  })

  it('a request answered in time leaves nothing armed', async () => {
    const { clock, probes, connection } = setup()
    const receive = connection('a:1')
    receive.requestsOutstanding()
    clock.advance(300)
    receive.received(); receive.noneOutstanding()
    clock.advance(5000)
    expect(probes).to.have.length(0)
    expect(clock.pending).to.equal(0)
  })

  it('one probe per member at a time, however many of its connections are silent; members are probed independently', async () => {
    const { clock, probes, connection } = setup()
    for (let i = 0; i < 5; i++) connection('a:1').requestsOutstanding()
    clock.advance(400)
    connection('b:1').requestsOutstanding()
    clock.advance(600)
    expect(probes.map(p => p.member)).to.deep.equal(['a:1'])
    clock.advance(5000) // a's probe still running: no second one
    expect(probes.map(p => p.member)).to.deep.equal(['a:1', 'b:1'])
  })

  it('an answered probe (a slow query) keeps waiting and probes again at a falling, capped rate', async () => {
    const { clock, probes, unresponsive, events, connection } = setup(1000, 4000)
    connection('a:1').requestsOutstanding()
    const probeTimes: number[] = []
    const start = clock.now()
    for (let step = 0; step < 200; step++) { // 20 s of silence in 100 ms steps
      clock.advance(100)
      const open = probes.at(-1)
      if (open !== undefined && probeTimes.length < probes.length) {
        probeTimes.push(clock.now() - start)
        open.answer()
        await tick()
      }
    }
    expect(unresponsive).to.have.length(0)
    expect(events.every(e => e.outcome === 'answered')).to.equal(true)
    // first at 1 s, then 1 s, 2 s, 4 s, 4 s … apart
    const gaps = probeTimes.slice(1).map((t, i) => t - (probeTimes[i] as number))
    expect(probeTimes[0]).to.equal(1000)
    expect(gaps.slice(0, 4)).to.deep.equal([1000, 2000, 4000, 4000])
  })

  it('a probe that fails with an answer (e.g. authentication) counts as answered', async () => {
    const { clock, probes, unresponsive, events, connection } = setup()
    connection('a:1').requestsOutstanding()
    clock.advance(1000)
    probes[0]?.fail(new Error('Neo.ClientError.Security.Unauthorized'))
    await tick()
    expect(unresponsive).to.have.length(0)
    expect(events[0]?.outcome).to.equal('answered')
  })

  it('a probe that times out while the silent connection got bytes meanwhile does not condemn the member', async () => {
    const { clock, probes, unresponsive, connection } = setup()
    const receive = connection('a:1')
    receive.requestsOutstanding()
    clock.advance(1000)
    clock.advance(300)
    receive.received() // the server spoke after all (the client was just slow to read)
    clock.advance(700)
    probes[0]?.fail(new Unreachable('timed out'))
    await tick()
    expect(unresponsive).to.have.length(0)
  })

  it('a new silence after the previous one ended starts again at probeAfter', async () => {
    const { clock, probes, connection } = setup(1000, 8000)
    const receive = connection('a:1')
    receive.requestsOutstanding()
    clock.advance(1000)
    probes[0]?.answer()
    await tick()
    receive.received(); receive.noneOutstanding()
    clock.advance(10_000)
    receive.requestsOutstanding()
    clock.advance(1000)
    expect(probes).to.have.length(2)
  })

  it('a probe that throws synchronously is a failed probe, not a crash', async () => {
    const clock = new FakeClock()
    const unresponsive: string[] = []
    const detector = new UnresponsiveMemberDetector({
      probeAfterMs: 100,
      maxProbeIntervalMs: 800,
      clock,
      probe: () => { throw new Unreachable('no route') },
      isUnreachable: (error) => error instanceof Unreachable,
      onUnresponsive: (member) => { unresponsive.push(member) }
    })
    const receive = new ReceiveClock(clock.now, () => { detector.awaiting() })
    detector.watch({ member: 'a:1', silentSince: () => receive.silentSince() })
    receive.requestsOutstanding()
    clock.advance(100)
    await tick()
    expect(unresponsive).to.deep.equal(['a:1'])
  })

  it('a member still silent after a verdict is probed again only a probe period later (a refused probe never spins)', async () => {
    const { clock, probes, unresponsive, connection } = setup()
    connection('a:1').requestsOutstanding() // a connection that stays silent even after the verdict
    clock.advance(1000)
    probes[0]?.fail(new Unreachable('refused'))
    await tick()
    expect(unresponsive).to.have.length(1)
    expect(probes).to.have.length(1)
    clock.advance(999)
    expect(probes).to.have.length(1)
    clock.advance(1)
    expect(probes).to.have.length(2)
  })

  it('after close nothing fires and late probe results are ignored', async () => {
    const { clock, detector, probes, unresponsive, connection } = setup()
    connection('a:1').requestsOutstanding()
    clock.advance(1000)
    detector.close()
    probes[0]?.fail(new Unreachable('timed out'))
    await tick()
    clock.advance(60_000)
    expect(unresponsive).to.have.length(0)
    expect(probes).to.have.length(1)
    expect(clock.pending).to.equal(0)
  })

  it('unwatched connections (closed) no longer count', async () => {
    const { clock, detector, probes } = setup()
    const receive = new ReceiveClock(clock.now, () => { detector.awaiting() })
    const source: SilenceSource = { member: 'a:1', silentSince: () => receive.silentSince() }
    detector.watch(source)
    receive.requestsOutstanding()
    detector.unwatch(source)
    clock.advance(5000)
    expect(probes).to.have.length(0)
    expect(detector.watched).to.equal(0)
  })
})

describe('connection: receive clock', () => {
  it('is silent since the later of "request sent" and "last byte", and not at all with nothing outstanding', () => {
    const clock = new FakeClock(0)
    let awaited = 0
    const receive = new ReceiveClock(clock.now, () => { awaited++ })
    expect(receive.silentSince()).to.equal(undefined)
    clock.advance(10); receive.received()
    clock.advance(10); receive.requestsOutstanding(); receive.requestsOutstanding()
    expect(awaited).to.equal(1)
    expect(receive.silentSince()).to.equal(20)
    clock.advance(15); receive.received()
    expect(receive.silentSince()).to.equal(35)
    receive.noneOutstanding()
    expect(receive.silentSince()).to.equal(undefined)
    clock.advance(5); receive.requestsOutstanding()
    expect(awaited).to.equal(2)
    expect(receive.silentSince()).to.equal(40)
  })
})
