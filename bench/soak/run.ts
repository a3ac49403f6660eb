// npm run soak [-- --minutes N --driver ours|official|both …]: the soak run
// (not in CI; a 1-minute version runs in `npm test`). Writes
// bench/results/soak-latest.{md,json} (or --out PATH.{md,json}) and prints
// the report. Exit code 1 when a rule failed, 2 on a usage error.

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_SETTINGS, runSoak } from './harness.js'
import type { SoakDriver, SoakSettings } from './protocol.js'
import { renderSoakReport } from './report.js'
import { judge } from './verdict.js'

export const SOAK_USAGE = `Usage: npm run soak -- [options]
  --minutes N        minutes of churn, each with a leader stop and a black hole (default 30)
  --driver D         ours, official or both (default ours; both: one worker process each, same cluster)
  --callers N        concurrent callers per driver (default ${DEFAULT_SETTINGS.callers})
  --rate N           operations per second per driver, all callers together (default ${DEFAULT_SETTINGS.ratePerSecond})
  --tolerance P      memory growth allowed after minute 1, percent (default ${DEFAULT_SETTINGS.memoryTolerance * 100})
  --seed N           the fixture's election seed (default 1)
  --out PATH         write PATH.md and PATH.json (default bench/results/soak-latest)`

export class SoakUsageError extends Error {}

export interface SoakArgs { settings: SoakSettings, drivers: SoakDriver[], seed: number, out: string | null }

export function parseSoakArgs (argv: readonly string[]): SoakArgs {
  const args: SoakArgs = { settings: structuredClone(DEFAULT_SETTINGS), drivers: ['ours'], seed: 1, out: null }
  const positive = (flag: string, value: string | undefined): number => {
    const n = Number(value)
    if (value === undefined || !Number.isInteger(n) || n < 1) throw new SoakUsageError(`${flag} needs a positive integer, got ${JSON.stringify(value)}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    i++
    switch (flag) {
      case '--minutes': args.settings.minutes = positive(flag, value); break
      case '--callers':
        args.settings.callers = positive(flag, value)
        // The allowance after a fault is one connection per caller (see DEFAULT_SETTINGS).
        args.settings.slack = { ...args.settings.slack, sockets: args.settings.callers, handles: args.settings.callers }
        break
      case '--rate': args.settings.ratePerSecond = positive(flag, value); break
      case '--tolerance': args.settings.memoryTolerance = positive(flag, value) / 100; break
      case '--seed': args.seed = positive(flag, value); break
      case '--driver':
        if (value === 'both') args.drivers = ['ours', 'official']
        else if (value === 'ours' || value === 'official') args.drivers = [value]
        else throw new SoakUsageError(`--driver must be ours, official or both, got ${JSON.stringify(value)}`)
        break
      case '--out':
        if (value === undefined) throw new SoakUsageError('--out needs a path')
        args.out = value
        break
      default: throw new SoakUsageError(`unknown option ${String(flag)}`)
    }
  }
  return args
}

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results/', import.meta.url))

async function main (): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(SOAK_USAGE + '\n')
    return 0
  }
  let args: SoakArgs
  try {
    args = parseSoakArgs(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof SoakUsageError)) throw error
    process.stderr.write(`soak: ${error.message}\n\n${SOAK_USAGE}\n`)
    return 2
  }
  const started = performance.now()
  const log = (line: string): void => { process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s] ${line}\n`) }
  const command = `npm run soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`
  const run = await runSoak({ settings: args.settings, drivers: args.drivers, seed: args.seed, command, log })
  const base = args.out ?? path.join(RESULTS_DIR, 'soak-latest')
  mkdirSync(path.dirname(base), { recursive: true })
  const markdown = renderSoakReport(run)
  writeFileSync(`${base}.md`, markdown)
  writeFileSync(`${base}.json`, JSON.stringify({ run, verdicts: judge(run) }, null, 1) + '\n')
  process.stdout.write(markdown + '\n')
  log(`wrote ${path.relative(process.cwd(), base)}.md and .json`)
  return judge(run).some((v) => v.pass === false) || run.problems.length > 0 ? 1 : 0
}

// Only when run as the command (the spec imports parseSoakArgs).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then((code) => { process.exitCode = code }, (error: unknown) => {
    process.stderr.write(`soak: ${(error as Error).stack ?? String(error)}\n`)
    process.exitCode = 1
  })
}
