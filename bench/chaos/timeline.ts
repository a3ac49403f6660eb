// The ASCII timeline of one run: acknowledged writes, successful reads and
// failed operations per 100 ms, from 1 s before the first fault to the end,
// with the faults marked, so a write pause is visible in a terminal.
//
//   t     -1s       0s        +1s       +2s
//   write ##########          .:=#######
//   read  ##########   ..:::::##########
//   fail            1 2
//   marks           A                   B
//   A +0.0 s stop server1 (leader) · B +2.0 s start server1

import type { Mark } from './analysis.js'
import { WRITE_KINDS, type OpRecord } from './workload.js'

export const BUCKET_MS = 100
const COLUMNS_PER_LINE = 100
const LEAD_IN_MS = 1000
const LEVELS = ['.', ':', '-', '=', '#']

export interface TimelineData {
  /** Clock time of bucket 0 (ms). */
  readonly origin: number
  /** Clock time the axis counts from (the first fault). */
  readonly zero: number
  readonly writes: number[]
  readonly reads: number[]
  readonly failures: number[]
  readonly marks: ReadonlyArray<{ bucket: number, letter: string, label: string, atMs: number }>
}

export function timelineData (records: readonly OpRecord[], marks: readonly Mark[], end: number): TimelineData {
  const firstFault = marks.find(m => m.kind === 'fault')?.at ?? marks[0]?.at ?? 0
  const origin = Math.max(0, firstFault - LEAD_IN_MS)
  const size = Math.max(1, Math.ceil((end - origin) / BUCKET_MS))
  const writes = new Array<number>(size).fill(0)
  const reads = new Array<number>(size).fill(0)
  const failures = new Array<number>(size).fill(0)
  const bucketOf = (t: number): number => Math.floor((t - origin) / BUCKET_MS)
  for (const r of records) {
    const b = bucketOf(r.end)
    if (b < 0 || b >= size) continue
    if (r.outcome !== 'ok') failures[b] = (failures[b] ?? 0) + 1
    else if (WRITE_KINDS.includes(r.kind)) writes[b] = (writes[b] ?? 0) + 1
    else reads[b] = (reads[b] ?? 0) + 1
  }
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  return {
    origin,
    zero: firstFault,
    writes,
    reads,
    failures,
    marks: [...marks].sort((a, b) => a.at - b.at).map((m, i) => ({
      bucket: Math.min(size - 1, Math.max(0, bucketOf(m.at))), letter: letters[i % letters.length] as string, label: m.label, atMs: m.at - firstFault
    }))
  }
}

function relativeLevel (count: number, max: number): string {
  if (count === 0) return ' '
  const level = Math.min(LEVELS.length - 1, Math.floor((count / max) * LEVELS.length - 1e-9))
  return LEVELS[Math.max(0, level)] as string
}

function countChar (count: number): string {
  if (count === 0) return ' '
  return count < 10 ? String(count) : '+'
}

function axis (data: TimelineData, from: number, to: number): string {
  const chars = new Array<string>(to - from).fill(' ')
  for (let b = from; b < to; b++) {
    // Rounded: the clock is fractional, the buckets are whole multiples of 100 ms from the lead-in.
    const relative = Math.round(data.origin + b * BUCKET_MS - data.zero)
    if (relative % 1000 !== 0) continue
    const seconds = Math.round(relative / 1000)
    const label = seconds === 0 ? '0s' : `${seconds > 0 ? '+' : ''}${seconds}s`
    for (let i = 0; i < label.length && b - from + i < chars.length; i++) chars[b - from + i] = label[i] as string
  }
  return chars.join('')
}

export function renderTimeline (data: TimelineData, indent = '  '): string {
  const size = data.writes.length
  const maxWrites = Math.max(1, ...data.writes)
  const maxReads = Math.max(1, ...data.reads)
  const lines: string[] = []
  for (let from = 0; from < size; from += COLUMNS_PER_LINE) {
    const to = Math.min(size, from + COLUMNS_PER_LINE)
    const row = (values: number[], char: (n: number) => string): string => values.slice(from, to).map(char).join('').trimEnd()
    const marks = new Array<string>(to - from).fill(' ')
    for (const m of data.marks) if (m.bucket >= from && m.bucket < to) marks[m.bucket - from] = m.letter
    lines.push(`${indent}t     ${axis(data, from, to)}`.trimEnd())
    lines.push(`${indent}write ${row(data.writes, n => relativeLevel(n, maxWrites))}`.trimEnd())
    lines.push(`${indent}read  ${row(data.reads, n => relativeLevel(n, maxReads))}`.trimEnd())
    lines.push(`${indent}fail  ${row(data.failures, countChar)}`.trimEnd())
    lines.push(`${indent}marks ${marks.join('')}`.trimEnd())
  }
  const legend = data.marks.map(m => `${m.letter} ${(m.atMs / 1000 >= 0 ? '+' : '') + (m.atMs / 1000).toFixed(1)} s ${m.label}`)
  lines.push(`${indent}${legend.join(' · ')}`)
  lines.push(`${indent}(one column = ${BUCKET_MS} ms; write/read: ${LEVELS.join('')} = share of the busiest column (max ${maxWrites} writes, ${maxReads} reads); fail: count)`)
  return lines.join('\n')
}
