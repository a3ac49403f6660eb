// The soak report as markdown: settings, the verdicts, then per driver one
// row per minute and one row per fault. Pure.

import { table } from '../markdown.js'
import type { DriverSoak, SoakRun, SoakSample } from './protocol.js'
import { judge } from './verdict.js'

const MiB = 2 ** 20
const mib = (bytes: number): string => (bytes / MiB).toFixed(1)
const max = (samples: readonly SoakSample[], pick: (s: SoakSample) => number): number => Math.max(...samples.map(pick))

export function renderSoakReport (run: SoakRun): string {
  const s = run.settings
  const out: string[] = []
  const seconds = Math.round((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000)
  const m = run.machine
  out.push(`# Soak: ${run.drivers.map((d) => d.label).join(' and ')}, ${s.minutes} minute(s)`, '')
  out.push(`Run ${run.startedAt} (${seconds} s), \`${run.command}\`.`, '')
  out.push(`- **Machine:** ${String(m.cpus)} × ${String(m.cpuModel)}, ${String(m.memoryGiB)} GiB, ${String(m.platform)}, Node ${String(m.node)}; 1-min load average ${String(m.loadAverageStart)} at start.`)
  out.push(`- **Cluster:** ${run.cluster.primaries} primaries + ${run.cluster.secondaries} secondaries in a child process (fixture defaults, server-side routing on); database \`${s.database}\`.`)
  out.push(`- **Churn:** each driver in its own worker process on its **default configuration**, ${s.callers} callers paced to ${s.ratePerSecond} operations/s in all, each caller going through executeQuery read (\`RETURN 1\`), a session's executeRead, executeQuery write (MERGE) and a session's executeWrite (MERGE) in turn; a new session for every transaction. MERGE keys repeat, so the graph stays small.`)
  out.push(`- **Faults, every minute:** at +${s.schedule.leaderStopAtMs / 1000} s the leader is stopped and restarted ${s.schedule.holdMs / 1000} s later; at +${s.schedule.blackholeAtMs / 1000} s the (new) leader is black-holed and healed ${s.schedule.holdMs / 1000} s later. Warm-up ${s.warmupMs / 1000} s before minute 1.`)
  out.push(`- **Samples:** every second, each worker reports \`process.memoryUsage()\`, its open client sockets (every socket \`net.connect\` made, ref'ed or not, until closed) and \`process.getActiveResourcesInfo()\` (ref'ed handles and timers; the harness's own pacing timers and IPC pipe are subtracted); at each minute's end the same after a full GC (\`--expose-gc\`), so "heap" there is the live heap. Baseline: the largest counts over the first ${5} s of minute 1 (before any fault), and heap and RSS after a GC then.`)
  out.push(`- **Rules:** RSS and live heap at every minute's end after minute 1 within ${Math.round(s.memoryTolerance * 100)} % of minute 1's end; after each fault, sockets, handles and timers back to their level just before it (or the baseline, if larger) + ${s.slack.sockets} / ${s.slack.handles} / ${s.slack.timers}, with a write acknowledged after the fault, before the next fault (the watch polls every 0.5 s; the socket allowance is one per caller: a newly elected leader may need a connection per concurrent caller that the pool did not hold before); at every minute's end after minute 1 the counts within minute 1's end + the same allowance; no socket or timer left after \`driver.close()\`. A 1-minute run judges only what one minute can show.`, '')

  out.push('## Verdict', '')
  out.push(table(['driver', 'rule', 'measured', 'verdict'], judge(run).map((v) => [v.driver, v.rule, v.figure, v.pass === null ? '—' : v.pass ? 'pass' : '**FAIL**'])), '')

  for (const d of run.drivers) out.push(...driverSection(d, run), '')

  if (run.problems.length > 0) {
    out.push('## Problems during the run', '')
    for (const p of run.problems) out.push(`- ${p}`)
    out.push('')
  }
  out.push(`Reproduce: \`npm run build && npm run soak -- --minutes ${s.minutes}${run.drivers.length === 2 ? ' --driver both' : run.drivers[0]?.driver === 'official' ? ' --driver official' : ''}\`.`, '')
  return out.join('\n')
}

function driverSection (d: DriverSoak, run: SoakRun): string[] {
  const out: string[] = []
  out.push(`## ${d.label}`, '')
  out.push(`Baseline: ${d.baseline.sockets} sockets, ${d.baseline.handles} handles, ${d.baseline.timers} timers; live heap ${mib(d.baseline.heapUsed)} MiB, RSS ${mib(d.baseline.rss)} MiB.`, '')
  let previous = { ok: 0, failed: 0, opened: 0 }
  out.push(table(
    ['minute', 'ops ok', 'failed', 'RSS MiB (end, after GC)', 'RSS max', 'live heap MiB (end)', 'heap used max', 'external + array buffers MiB', 'sockets end / max', 'handles end / max', 'timers end / max', 'sockets opened in the minute'],
    d.minutes.map((m) => {
      const row = [
        String(m.minute), String(m.end.ok - previous.ok), String(m.end.failed - previous.failed),
        mib(m.end.rss), mib(max([...m.samples, m.end], (x) => x.rss)), mib(m.end.heapUsed), mib(max([...m.samples, m.end], (x) => x.heapUsed)),
        mib(m.end.external + m.end.arrayBuffers),
        `${m.end.sockets} / ${max([...m.samples, m.end], (x) => x.sockets)}`,
        `${m.end.handles} / ${max([...m.samples, m.end], (x) => x.handles)}`,
        `${m.end.timers} / ${max([...m.samples, m.end], (x) => x.timers)}`,
        String(m.end.socketsOpened - previous.opened)
      ]
      previous = { ok: m.end.ok, failed: m.end.failed, opened: m.end.socketsOpened }
      return row
    })), '')
  out.push(`After the churn stopped: ${d.stopped.sockets} sockets, ${d.stopped.handles} handles, ${d.stopped.timers} timers, live heap ${mib(d.stopped.heapUsed)} MiB${d.drained ? '' : ' (NOT drained: operations still running)'}. ` +
    `After \`driver.close()\`: ${d.closed.sockets} sockets, ${d.closed.handles} handles, ${d.closed.timers} timers (resources: ${JSON.stringify(d.closed.resources)}).`, '')
  out.push('Faults:', '')
  out.push(table(
    ['minute', 'fault', 'member', 'first write after (ms)', 'before: sockets/handles/timers', 'peak', 'back to (reference)', 'settled after heal (ms)', 'settled at', 'sockets opened (fault → settled)'],
    run.faults.flatMap((f) => {
      const e = f.by[d.driver]
      if (e === undefined) return []
      return [[
        String(f.minute), f.kind, f.member, e.writePauseMs === null ? 'none' : String(Math.round(e.writePauseMs)),
        `${e.before.sockets}/${e.before.handles}/${e.before.timers}`, `${e.peak.sockets}/${e.peak.handles}/${e.peak.timers}`,
        `${e.reference.sockets}/${e.reference.handles}/${e.reference.timers}`,
        e.settledAfterMs === null ? '**not settled**' : String(Math.round(e.settledAfterMs)),
        `${e.settled.sockets}/${e.settled.handles}/${e.settled.timers}`,
        String(e.settled.socketsOpened - e.before.socketsOpened)
      ]]
    })), '')
  const last = d.minutes.at(-1)?.end ?? d.stopped
  const errors = Object.entries(last.errors).sort((a, b) => b[1] - a[1])
  out.push(`Failed operations by code (whole run): ${errors.length === 0 ? 'none' : errors.map(([code, n]) => `${n}× ${code}`).join(', ')}.`)
  return out
}
