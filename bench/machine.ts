// What the figures were measured on, for the report header.

import { execFileSync } from 'node:child_process'
import os from 'node:os'

export interface MachineInfo {
  cpuModel: string
  cores: number
  node: string
  os: string
  memoryGiB: number
  /** 1-minute load average when the run started (other processes on a shared machine show here). */
  loadAverage: number
  /** git commit of the tree measured ('+dirty' when it had uncommitted changes), or 'unknown'. */
  commit: string
}

export function machineInfo (): MachineInfo {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
    commit: gitCommit()
  }
}

function gitCommit (): string {
  try {
    const run = (args: string[]): string => execFileSync('git', args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const commit = run(['rev-parse', '--short', 'HEAD'])
    return run(['status', '--porcelain', '--untracked-files=no']) === '' ? commit : `${commit}+dirty`
  } catch {
    return 'unknown'
  }
}
