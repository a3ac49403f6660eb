// The soak's growth rules, judged from a run's record. Pure, unit-tested.
//
//   memory      RSS and live heap (after a full GC) at the end of every minute
//               after the first stay within the tolerance (10 %) of minute 1's
//   recovery    after each fault, sockets, handles and timers come back to
//               what they were before it (or the baseline, whichever is
//               larger) plus an allowance, and a write succeeds, before the
//               next fault
//   trend       sockets, handles and timers at the end of every minute after
//               the first stay within minute 1's end plus the allowance (a
//               slow leak, one socket per fault, fails this within minutes)
//   close       after driver.close() the driver holds no socket and no timer

import type { Counts, DriverSoak, FaultRecord, SoakRun, SoakSample } from './protocol.js'

export interface Verdict {
  driver: string
  rule: string
  /** What was measured, in words. */
  figure: string
  /** null: not judged (e.g. a 1-minute run has no "after minute 1"). */
  pass: boolean | null
}

const MiB = 2 ** 20
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`

/** Largest relative growth of `pick` over minutes 2.. against minute 1's end (null with fewer than 2 minutes). */
export function growthAfterMinuteOne (soak: DriverSoak, pick: (s: SoakSample) => number): { reference: number, worst: number, worstMinute: number, growth: number } | null {
  if (soak.minutes.length < 2) return null
  const reference = pick(soak.minutes[0].end)
  let worst = -Infinity
  let worstMinute = 0
  for (const m of soak.minutes.slice(1)) {
    const v = pick(m.end)
    if (v > worst) { worst = v; worstMinute = m.minute }
  }
  return { reference, worst, worstMinute, growth: reference > 0 ? worst / reference - 1 : 0 }
}

/** Least-squares slope of `pick` over the minute ends from minute 2 on, per minute (null with fewer than 3 minutes). */
export function slopePerMinute (soak: DriverSoak, pick: (s: SoakSample) => number): number | null {
  const points = soak.minutes.slice(1).map((m) => [m.minute, pick(m.end)] as const)
  if (points.length < 2) return null
  const n = points.length
  const mx = points.reduce((a, [x]) => a + x, 0) / n
  const my = points.reduce((a, [, y]) => a + y, 0) / n
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  return sxx === 0 ? 0 : sxy / sxx
}

export function judge (run: SoakRun): Verdict[] {
  const out: Verdict[] = []
  const tolerance = run.settings.memoryTolerance
  const slack = run.settings.slack
  for (const soak of run.drivers) {
    const who = soak.label
    for (const [name, pick] of [['RSS', (s: SoakSample) => s.rss], ['live heap (after GC)', (s: SoakSample) => s.heapUsed]] as const) {
      const g = growthAfterMinuteOne(soak, pick)
      const slope = slopePerMinute(soak, pick)
      out.push(g === null
        ? { driver: who, rule: `${name} flat within ${Math.round(tolerance * 100)} % after minute 1`, figure: `not judged: needs 2 minutes or more (minute 1 ended at ${mib(pick(soak.minutes[0]?.end ?? soak.stopped))})`, pass: null }
        : {
            driver: who,
            rule: `${name} flat within ${Math.round(tolerance * 100)} % after minute 1`,
            figure: `minute 1 ${mib(g.reference)}; highest later ${mib(g.worst)} (minute ${g.worstMinute}, ${g.growth >= 0 ? '+' : ''}${(g.growth * 100).toFixed(1)} %)` +
              (slope === null ? '' : `; trend ${slope >= 0 ? '+' : ''}${(slope / MiB).toFixed(2)} MiB/min`),
            pass: g.growth <= tolerance
          })
    }
    const faults = run.faults.filter((f) => f.by[soak.driver] !== undefined)
    const unsettled = faults.filter((f) => f.by[soak.driver]?.settledAfterMs === null)
    const settleTimes = faults.flatMap((f) => f.by[soak.driver]?.settledAfterMs ?? [])
    out.push({
      driver: who,
      rule: `after each fault: sockets, handles and timers back to their pre-fault level + (${slack.sockets}, ${slack.handles}, ${slack.timers}) and writes flowing, before the next fault`,
      figure: faults.length === 0
        ? 'no fault injected'
        : `${faults.length - unsettled.length} of ${faults.length} faults` +
          (settleTimes.length > 0 ? `; settled ${Math.round(Math.min(...settleTimes))}–${Math.round(Math.max(...settleTimes))} ms after the heal` : '') +
          (unsettled.length > 0 ? `; not settled: ${unsettled.map((f) => describeUnsettled(f, soak)).join('; ')}` : ''),
      pass: faults.length === 0 ? null : unsettled.length === 0
    })
    const reference = soak.minutes[0]?.end
    const later = soak.minutes.slice(1)
    const over = reference === undefined ? [] : later.filter((m) => !within(m.end, reference, slack))
    out.push({
      driver: who,
      rule: `sockets, handles and timers at every minute's end after minute 1 within minute 1's end + (${slack.sockets}, ${slack.handles}, ${slack.timers})`,
      figure: `baseline ${soak.baseline.sockets}/${soak.baseline.handles}/${soak.baseline.timers}; minute ends ` +
        soak.minutes.map((m) => `${m.end.sockets}/${m.end.handles}/${m.end.timers}`).join(', ') + ' (sockets/handles/timers)' +
        (over.length > 0 ? `; over in minute ${over.map((m) => m.minute).join(', ')}` : ''),
      pass: later.length === 0 ? null : over.length === 0
    })
    out.push({
      driver: who,
      rule: 'after driver.close(): no socket and no timer left',
      figure: `${soak.closed.sockets} socket(s), ${soak.closed.timers} timer(s), ${soak.closed.handles} handle(s)`,
      pass: soak.closed.sockets === 0 && soak.closed.timers === 0
    })
  }
  return out
}

function describeUnsettled (fault: FaultRecord, soak: DriverSoak): string {
  const effect = fault.by[soak.driver]
  if (effect === undefined) return `minute ${fault.minute} ${fault.kind}`
  const s = effect.settled
  const noWrite = effect.writePauseMs === null ? ', no write after the fault' : ''
  return `minute ${fault.minute} ${fault.kind} (last ${s.sockets}/${s.handles}/${s.timers}${noWrite})`
}

/** Whether sample `s` is within `slack` over the `reference` counts. */
export function within (s: Counts, reference: Counts, slack: Counts): boolean {
  return s.sockets <= reference.sockets + slack.sockets &&
    s.handles <= reference.handles + slack.handles &&
    s.timers <= reference.timers + slack.timers
}
