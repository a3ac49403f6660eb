// Profile mode of the bench runner (`npm run bench -- --profile A,B`): each
// named workload, once per contender, in its own worker process
// (as a benchmark trial), with the V8 CPU profiler running around the
// measurement window only. Writes one .cpuprofile per run under
// bench/results/profiles/ (git-ignored) and a report of where the time goes
// (profile-report.ts) to bench/results/profile-latest.{md,json}. After the CPU
// window, a second window under the heap sampler tells the bytes allocated per
// operation and where (allocation-analysis.ts); for one caller, a third
// window times each round trip's client and server part (round-trips.ts). The streaming workload is
// profiled as one caller streaming its query back to back, an operation per 1,000 rows.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchArgs } from './args.js'
import type { ContenderId, ContenderSetup } from './contenders/contender.js'
import { ChildHandle } from './ipc.js'
import { machineInfo } from './machine.js'
import { analyseAllocations, type SamplingHeapProfile } from './allocation-analysis.js'
import { analyseProfile, shortLocation, type CallFrame, type CpuProfile } from './profile-analysis.js'
import { renderProfileReport, type ProfiledRun } from './profile-report.js'
import type { AllocationRequest, AllocationSample, FixtureSettings, HostStatus, LoopShape, ProfileRequest, ProfileSample, RoundTripRequest } from './protocol.js'
import type { RoundTrips } from './round-trips.js'
import { ROWS_PER_STREAM_OP } from './measure.js'
import { FIXTURE, seedData } from './setup.js'
import { spawnWorker } from './trials.js'
import type { Workload } from './workloads.js'

/** Rows of each list kept in the JSON (the .cpuprofile has everything). */
const JSON_ROWS = 60
/** The allocation window after the CPU profile's (shorter when the CPU window is). */
const ALLOCATION_WINDOW_MS = 3_000
/** The heap sampler's mean interval: fine enough for a few hundred bytes per operation. */
export const HEAP_SAMPLING_BYTES = 1_024

export interface ProfileEnv {
  /** bench/results/ of the repository. */
  resultsDir: string
  log: (line: string) => void
}

const sourceMaps = new Map<string, SourceMap | null>()

/** Our compiled frames back to the TypeScript line through the build's source maps ('lib/x.ts:120'); others: null. */
export function resolveSource (frame: CallFrame): string | null {
  if (!shortLocation(frame.url).startsWith('dist/lib/')) return null
  let map = sourceMaps.get(frame.url)
  if (map === undefined) {
    const file = `${fileURLToPath(frame.url)}.map`
    map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null
    sourceMaps.set(frame.url, map)
  }
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string, originalLine?: number } | undefined
  if (entry?.originalSource === undefined || entry.originalLine === undefined) return null
  const source = entry.originalSource.replace(/^.*?\/(lib\/)/, '$1').replace(/^(\.\.\/)+/, '')
  return `${source}:${entry.originalLine + 1}`
}

/** What the worker loops on for `workload` (a LoopRequest without its window): its operation at its concurrency, or its query streamed row by row. */
export function profiledLoop (workload: Workload): LoopShape {
  return workload.kind === 'stream' ? { streamRows: workload.rows } : { op: workload.op, concurrency: workload.concurrency }
}

/** The report's title: for streaming, say what an operation is. */
function profiledTitle (workload: Workload): string {
  return workload.kind === 'stream' ? `${workload.title}, one caller (an operation here is ${ROWS_PER_STREAM_OP.toLocaleString('en-US')} rows)` : workload.title
}

export async function runProfiles (args: BenchArgs, workloads: Workload[], env: ProfileEnv): Promise<number> {
  const { log } = env
  if (workloads.length === 0) return 2
  const repo = path.resolve(env.resultsDir, '../..')
  const profilesDir = path.join(env.resultsDir, 'profiles')
  mkdirSync(profilesDir, { recursive: true })
  const base = args.out ?? path.join(env.resultsDir, args.quick ? 'profile-quick' : 'profile-latest')
  const files = args.quick && args.out === null ? { md: `${base}.md.tmp`, json: `${base}.json.tmp` } : { md: `${base}.md`, json: `${base}.json` }
  const serverSideRouting = args.serverSideRouting !== 'off'
  const fixture: FixtureSettings = { ...FIXTURE, serverSideRouting }
  const machine = machineInfo()
  const startedAt = new Date().toISOString()
  const runs: ProfiledRun[] = []
  const problems: string[] = []
  log(`profile on ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAverage}: ${workloads.map((w) => w.id).join(', ')} × ${args.profileContenders.join(', ')}, ${args.windowMs / 1000} s each`)
  const host = ChildHandle.spawn(new URL('./fixture-host.js', import.meta.url), 'fixture host')
  try {
    const status = await host.request<HostStatus>('start', { settings: fixture }, 60_000)
    await seedData(status, args.database)
    const setup: ContenderSetup = { uri: status.uri, user: status.user, password: status.password, database: args.database }
    for (const workload of workloads) {
      for (const contender of args.profileContenders as ContenderId[]) {
        const file = path.join(profilesDir, `${workload.id}-${contender}.cpuprofile`)
        const worker = spawnWorker(contender, `profile ${workload.id}`)
        try {
          await worker.request('open', { contender, setup }, 30_000)
          const loop = profiledLoop(workload)
          await worker.request('warmup', { ...loop, durationMs: args.warmupMs }, args.warmupMs + 90_000)
          const sample = await worker.request<ProfileSample>('profile',
            { ...loop, durationMs: args.windowMs, intervalUs: args.profileIntervalUs, file } satisfies ProfileRequest, args.windowMs + 90_000)
          // Then, apart (the heap sampler costs time the CPU profile must not see): what the loop allocates.
          const allocationMs = Math.min(args.windowMs, ALLOCATION_WINDOW_MS)
          const heap = await worker.request<AllocationSample>('allocations',
            { ...loop, durationMs: allocationMs, samplingIntervalBytes: HEAP_SAMPLING_BYTES } satisfies AllocationRequest, allocationMs + 90_000)
          // And for one caller, apart again (timestamping every socket event costs time too): client and server time per round trip.
          const roundTrips = workload.kind === 'throughput' && workload.concurrency === 1
            ? await worker.request<RoundTrips>('round-trips', { op: workload.op, concurrency: 1, durationMs: allocationMs } satisfies RoundTripRequest, allocationMs + 90_000)
            : undefined
          await worker.request('close', null, 30_000)
          const analysis = analyseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, resolveSource)
          const allocation = { ops: heap.ops, analysis: analyseAllocations(heap.profile as SamplingHeapProfile, resolveSource) }
          runs.push({ workload: workload.id, title: profiledTitle(workload), contender, ...sample, file: path.relative(repo, file), analysis, allocation, roundTrips })
          const ours = analysis.categories.find((c) => c.category === 'ours (dist/lib)')
          log(`  ${workload.id} ${contender}: ${Math.round(sample.ops / (sample.elapsedMs / 1000))} ops/s, ${(analysis.busyMs * 1000 / Math.max(1, sample.ops)).toFixed(1)} µs busy/op` +
            (ours === undefined ? '' : `, ours ${ours.percent.toFixed(1)} %`) + (sample.errors > 0 ? `, ${sample.errors} failed (${sample.firstError ?? ''})` : ''))
          if (sample.ops === 0) problems.push(`${workload.id} ${contender}: no operation completed`)
        } catch (error) {
          problems.push(`${workload.id} ${contender}: ${(error as Error).message}`)
          log(`  ${workload.id} ${contender}: FAILED ${(error as Error).message}`)
        } finally {
          await worker.exit(10_000)
        }
      }
    }
  } finally {
    await host.exit(20_000)
  }
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`
  let markdown = renderProfileReport(runs, {
    startedAt, machine, command, windowMs: args.windowMs, warmupMs: args.warmupMs, intervalUs: args.profileIntervalUs, database: args.database, serverSideRouting,
    allocationWindowMs: Math.min(args.windowMs, ALLOCATION_WINDOW_MS), heapSamplingBytes: HEAP_SAMPLING_BYTES
  })
  if (problems.length > 0) markdown += `\n## Problems during the run\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`
  mkdirSync(path.dirname(files.md), { recursive: true })
  writeFileSync(files.md, markdown)
  const trimmed = runs.map((r) => ({
    ...r,
    analysis: { ...r.analysis, self: r.analysis.self.slice(0, JSON_ROWS), inclusive: r.analysis.inclusive.slice(0, JSON_ROWS) },
    allocation: { ...r.allocation, analysis: { ...r.allocation.analysis, sites: r.allocation.analysis.sites.slice(0, JSON_ROWS) } }
  }))
  writeFileSync(files.json, JSON.stringify({ startedAt, machine, command, args, runs: trimmed, problems }, null, 2) + '\n')
  process.stdout.write(markdown + '\n')
  log(`wrote ${path.relative(process.cwd(), files.md)}, ${path.relative(process.cwd(), files.json)} and ${runs.length} profile(s) in ${path.relative(process.cwd(), profilesDir)}`)
  return problems.length > 0 ? 1 : 0
}
