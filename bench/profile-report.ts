// The profile report (`npm run bench -- --profile …`): per workload, where
// each client's CPU time goes per operation, grouped by owner, then each
// client's top self-time functions, and for our driver the inclusive time
// of its own functions and its files; then its garbage collections, the
// bytes it allocates per operation by owner, and our own top allocation
// sites. Pure.

import { CONTENDER_LABELS, type ContenderId } from './contenders/contender.js'
import { formatNumber, table } from './markdown.js'
import type { AllocationAnalysis } from './allocation-analysis.js'
import type { GcSummary } from './gc-analysis.js'
import { CATEGORY_ORDER, sourceOf, type ProfileAnalysis } from './profile-analysis.js'
import type { MachineInfo } from './machine.js'
import type { RoundTrips } from './round-trips.js'

export interface ProfiledRun {
  workload: string
  title: string
  contender: ContenderId
  ops: number
  errors: number
  elapsedMs: number
  cpuMicros: number
  /** The .cpuprofile written (relative to the repository). */
  file: string
  analysis: ProfileAnalysis
  /** Garbage collections during the CPU window. */
  gc: GcSummary
  /** The heap sampler's window (after the CPU profile's): operations completed in it and what they allocated. */
  allocation: { ops: number, analysis: AllocationAnalysis }
  /** One caller only: a third window with the socket traffic timestamped. */
  roundTrips?: RoundTrips
}

export interface ProfileMeta {
  startedAt: string
  machine: MachineInfo
  command: string
  windowMs: number
  warmupMs: number
  intervalUs: number
  database: string | null
  serverSideRouting: boolean
  allocationWindowMs: number
  heapSamplingBytes: number
}

const TOP_SELF = 20
const TOP_OURS = 15

const perOp = (ms: number, ops: number): string => ops > 0 ? formatNumber(ms * 1000 / ops, 1) : '—'
const perThousand = (n: number, ops: number): string => ops > 0 ? formatNumber(n * 1000 / ops, 1) : '—'
const kibPerOp = (bytes: number, ops: number): string => ops > 0 ? formatNumber(bytes / 1024 / ops, 1) : '—'
const TOP_ALLOCATION_SITES = 10

export function renderProfileReport (runs: readonly ProfiledRun[], meta: ProfileMeta): string {
  const out: string[] = []
  out.push('# CPU profiles: where the client\'s time goes', '')
  out.push(`Run ${meta.startedAt}, commit ${meta.machine.commit}, \`${meta.command}\`.`, '')
  out.push(`- **Machine:** ${meta.machine.cpuModel}, ${meta.machine.cores} cores; Node ${meta.machine.node}; 1-min load average ${meta.machine.loadAverage} at start (other work on the machine slows everything alike; shares and per-operation costs move less than throughput).`)
  out.push(`- **Method:** each client in its own worker process (as \`npm run bench\`), a fresh driver, ${meta.warmupMs / 1000} s of warm-up, then ${meta.windowMs / 1000} s of the workload's closed loop under the V8 CPU profiler (sampling every ${meta.intervalUs} µs, started and stopped through \`node:inspector\` around the window only — the same profiler as \`node --cpu-prof\`, without start-up and warm-up). Database: ${meta.database === null ? 'none named (home database)' : `\`${meta.database}\``}; fixture server-side routing ${meta.serverSideRouting ? 'on' : 'off'}. Operations per second here include the profiler's overhead: they are not benchmark figures.`)
  out.push('- **Owners:** *ours* is dist/lib (this driver); *bolt-connection* and *core* are `neo4j-driver-bolt-connection` and `neo4j-driver-core` (both drivers run on them); *neo4j-driver (official)* is the official driver\'s own layer; *node internals* are `node:` modules (net, streams, timers, async hooks); *native / builtins* are V8 builtins and native functions called from JS; *GC* is the garbage collector; *program* is time in V8 or native code outside any JS frame. µs/op is time per completed operation; % is the share of the busy (non-idle) time.')
  out.push(`- **Allocation:** after the CPU window, ${meta.allocationWindowMs / 1000} s more of the same loop under V8's sampling heap profiler (a sample about every ${formatNumber(meta.heapSamplingBytes)} bytes, scaled to an estimate of every byte; objects the GC already reclaimed included): KiB allocated per completed operation, by owner. Short-lived garbage is what the young-generation collector (GC above) pays for.`)
  out.push('- **Files:** the .cpuprofile files open in Chrome DevTools (Performance → Load profile) (or any .cpuprofile viewer); they are not committed (git-ignored).', '')

  const workloads = [...new Set(runs.map((r) => r.workload))]
  for (const workload of workloads) {
    const mine = runs.filter((r) => r.workload === workload)
    out.push(`## ${mine[0].title}`, '')
    out.push(table(
      ['client', 'ops/s (profiled)', 'failed', 'CPU µs/op (process)', 'busy µs/op (profile)', 'samples', 'profile'],
      mine.map((r) => [
        CONTENDER_LABELS[r.contender], formatNumber(r.ops / (r.elapsedMs / 1000)), formatNumber(r.errors),
        perOp(r.cpuMicros / 1000, r.ops), perOp(r.analysis.busyMs, r.ops), formatNumber(r.analysis.samples), `\`${r.file}\``
      ])), '')
    out.push('Busy time per operation by owner (µs/op, and % of busy time):', '')
    const categories = CATEGORY_ORDER.filter((c) => mine.some((r) => r.analysis.categories.some((x) => x.category === c)))
    out.push(table(
      ['owner', ...mine.map((r) => CONTENDER_LABELS[r.contender])],
      categories.map((c) => [c, ...mine.map((r) => {
        const x = r.analysis.categories.find((y) => y.category === c)
        return x === undefined ? '—' : `${perOp(x.ms, r.ops)} (${x.percent.toFixed(1)} %)`
      })])), '')
    out.push('Garbage collection during the CPU window (node:v8 GCProfiler; promoted: bytes the young collections moved to the old generation):', '')
    out.push(table(
      ['', ...mine.map((r) => CONTENDER_LABELS[r.contender])],
      [
        ['young collections per 1,000 ops', ...mine.map((r) => perThousand(r.gc.young, r.ops))],
        ['young-collection pause, µs/op', ...mine.map((r) => perOp(r.gc.youngMs, r.ops))],
        ['promoted to the old generation, bytes/op', ...mine.map((r) => r.ops > 0 ? formatNumber(r.gc.promotedBytes / r.ops) : '—')],
        ['full collections per 1,000 ops', ...mine.map((r) => perThousand(r.gc.full, r.ops))],
        ['full-collection pause, µs/op', ...mine.map((r) => perOp(r.gc.fullMs, r.ops))]
      ]), '')
    out.push('Allocated per operation by owner (KiB/op):', '')
    const allocators = CATEGORY_ORDER.filter((c) => mine.some((r) => r.allocation.analysis.categories.some((x) => x.category === c)))
    out.push(table(
      ['owner', ...mine.map((r) => CONTENDER_LABELS[r.contender])],
      [...allocators.map((c) => [c, ...mine.map((r) => {
        const x = r.allocation.analysis.categories.find((y) => y.category === c)
        return x === undefined ? '—' : kibPerOp(x.bytes, r.allocation.ops)
      })]), ['**total**', ...mine.map((r) => `**${kibPerOp(r.allocation.analysis.totalBytes, r.allocation.ops)}**`)]]), '')
    out.push(...roundTripTable(mine, meta.allocationWindowMs))
    for (const r of mine) {
      out.push(`### ${CONTENDER_LABELS[r.contender]}: top ${TOP_SELF} functions by self time`, '')
      out.push(table(
        ['#', 'function', 'where', 'owner', 'self %', 'µs/op'],
        r.analysis.self.slice(0, TOP_SELF).map((f, i) => [
          String(i + 1), f.name, f.location === '' ? '—' : `\`${f.location}\``, f.package ?? f.category, f.percent.toFixed(1), perOp(f.ms, r.ops)
        ])), '')
      if (r.contender !== 'ours') continue
      const ours = r.analysis.inclusive.filter((f) => f.category === 'ours (dist/lib)').slice(0, TOP_OURS)
      out.push(`Our functions by inclusive time (self + what they call; a stack counts once per function), top ${TOP_OURS}:`, '')
      out.push(table(
        ['function', 'where', 'inclusive %', 'µs/op'],
        ours.map((f) => [f.name, `\`${f.location}\``, f.percent.toFixed(1), perOp(f.ms, r.ops)])), '')
      out.push('Our files by self time:', '')
      out.push(table(
        ['file', 'self %', 'µs/op'],
        r.analysis.ourFiles.slice(0, TOP_OURS).map((f) => [`\`${sourceOf(f.file)}\``, f.percent.toFixed(1), perOp(f.ms, r.ops)])), '')
      out.push(`Our top ${TOP_ALLOCATION_SITES} allocation sites (bytes allocated by the function itself, KiB/op):`, '')
      out.push(table(
        ['function', 'where', 'KiB/op'],
        r.allocation.analysis.sites.filter((site) => site.category === 'ours (dist/lib)').slice(0, TOP_ALLOCATION_SITES)
          .map((site) => [site.name, `\`${site.location}\``, kibPerOp(site.bytes, r.allocation.ops)])), '')
    }
  }
  return out.join('\n')
}

const us = (value: number): string => Number.isFinite(value) ? formatNumber(value) : '—'

/**
 * One caller's round trips, side by side per client: each write (by the
 * requests it carried), how often per operation, and the medians of the
 * client's time before it, the send itself and the server's time after it.
 * Nothing when no run of the workload timed them.
 */
export function roundTripTable (runs: readonly ProfiledRun[], windowMs: number): string[] {
  const timed = runs.filter((r): r is ProfiledRun & { roundTrips: RoundTrips } => r.roundTrips !== undefined)
  if (timed.length === 0) return []
  const rows = timed.flatMap((r) => [
    ...r.roundTrips.hops.filter((h) => h.perOp >= 0.05).map((h) => [
      CONTENDER_LABELS[r.contender], h.requests, formatNumber(h.perOp, 2), us(h.clientUs), us(h.writeUs), us(h.serverUs)
    ]),
    [CONTENDER_LABELS[r.contender], '**whole operation**', '', '', '', `**${us(r.roundTrips.opUs)}** (wall time per operation)`]
  ])
  return [
    `Round trips of the one caller (${windowMs / 1000} s more, every socket write and \`data\` event of the client timestamped; medians, µs). *Client*: from the client's last hand-off (an answer's arrival, or its previous write returning) to this write being handed to the socket; *send*: socket.write itself (the kernel's send, loopback delivery included); *server*: from then to the next answer's arrival (the server and the loopback; — for a write sent on before any answer, pipelined with the next). The server's part is the same for any client that sends the same requests:`, '',
    table(['client', 'write carried', 'per op', 'client µs', 'send µs', 'server µs'], rows), ''
  ]
}
