// The chaos suite's own arithmetic, on synthetic records: what counts as
// missing, duplicated, divergent or unknown, the write pause, the timeline.
// If these were wrong, every scenario could pass while data was lost.

import { expect } from 'chai'
import fc from 'fast-check'
import { analyse, percentile, violations, writePause, type Mark } from '../../bench/chaos/analysis.js'
import { renderTimeline, timelineData } from '../../bench/chaos/timeline.js'
import type { ReadBack } from '../../bench/chaos/verify.js'
import type { OpKind, OpRecord } from '../../bench/chaos/workload.js'

function write (id: number, end: number, outcome: OpRecord['outcome'] = 'ok', statement: 'create' | 'merge' = 'create', kind: OpKind = 'write-create'): OpRecord {
  return { kind, actor: 'w', id, start: end - 5, end, outcome, attempts: 1, statement, ...(outcome !== 'ok' ? { error: { name: 'E', code: 'X', message: 'x' } } : {}) }
}

function readBack (members: Record<string, Record<number, number>>): ReadBack {
  return {
    settled: true,
    unreadable: [],
    counts: new Map(Object.entries(members).map(([name, ids]) => [name, new Map(Object.entries(ids).map(([id, n]) => [Number(id), n]))]))
  }
}

const fault = (at: number): Mark => ({ at, kind: 'fault', label: `fault at ${at}` })

describe('chaos analysis: what the suite counts', () => {
  it('an acknowledged write absent from one member is missing (and divergent); present everywhere once is fine', () => {
    const records = [write(1, 10), write(2, 20)]
    const m = analyse(records, [], [], 100, readBack({ a: { 1: 1, 2: 1 }, b: { 1: 1 } }))
    expect(m.writesAcknowledged).to.equal(2)
    expect(m.acknowledgedMissing).to.equal(1)
    expect(m.divergent).to.equal(1)
    expect(m.duplicated).to.equal(0)
    expect(violations(m)).to.have.length(2)
  })

  it('an id present twice on a member is duplicated, whatever its outcome', () => {
    const m = analyse([write(1, 10), write(2, 20, 'error')], [], [], 100, readBack({ a: { 1: 2, 2: 1 }, b: { 1: 2, 2: 1 } }))
    expect(m.duplicated).to.equal(1)
    expect(m.falseFailures).to.equal(1)
    expect(violations(m).join(' ')).to.match(/duplicated/).and.match(/reported failed but committed/)
  })

  it('outcome-unknown writes: present once everywhere, absent everywhere, or a violation', () => {
    const records = [write(1, 10, 'unknown'), write(2, 20, 'unknown'), write(3, 30, 'unknown'), write(4, 40, 'unknown')]
    const m = analyse(records, [], [], 100, readBack({ a: { 1: 1, 3: 1, 4: 2 }, b: { 1: 1, 4: 2 } }))
    expect(m.unknownOutcomes).to.deep.equal({ total: 4, presentOnce: 1, absent: 1, inconsistent: 2 })
    expect(m.acknowledgedMissing).to.equal(0)
  })

  it('a failed idempotent MERGE that is present is allowed (an earlier attempt may have committed), a failed CREATE is not', () => {
    const m = analyse([write(1, 10, 'error', 'merge', 'write-merge')], [], [], 100, readBack({ a: { 1: 1 } }))
    expect(m.failedMergePresent).to.equal(1)
    expect(m.falseFailures).to.equal(0)
    expect(violations(m)).to.deep.equal([])
  })

  it('read-your-writes and monotonic-read violations are counted from the readers\' records', () => {
    const read = (end: number, flags: Partial<OpRecord>): OpRecord => ({ kind: 'read', actor: 'r', id: 1, start: end - 1, end, outcome: 'ok', attempts: 1, ...flags })
    const m = analyse([write(1, 5), read(10, { rywViolation: true }), read(20, { monotonicViolation: true }), read(30, {})], [], [], 100, readBack({ a: { 1: 1 } }))
    expect(m.readYourWritesViolations).to.equal(1)
    expect(m.monotonicReadViolations).to.equal(1)
    expect(m.reads).to.equal(3)
  })

  it('write pause: fault to first acknowledgement, gaps between them, last one to the window\'s end; "never resumed" when nothing came', () => {
    const records = [write(1, 90), write(2, 150), write(3, 400), write(4, 420)]
    expect(writePause(records, [fault(100)], 430)).to.deep.equal({ pauseMs: 250, neverResumed: false })
    expect(writePause(records, [fault(100), fault(410)], 430).pauseMs).to.equal(250)
    // A stall that lasts until the end of the run counts whole.
    expect(writePause(records, [fault(100)], 1000).pauseMs).to.equal(580)
    expect(writePause(records, [fault(500)], 900)).to.deep.equal({ pauseMs: 400, neverResumed: true })
    // Acknowledgements before the fault do not count; failed writes are not acknowledgements.
    expect(writePause([write(1, 10), write(2, 110), write(3, 150, 'error')], [fault(100)], 115).pauseMs).to.equal(10)
  })

  it('write pause (property): more acknowledgements never lengthen it, fewer never shorten it', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 20 }),
      fc.integer({ min: 0, max: 4000 }),
      (acks, extra, faultAt) => {
        const end = 5000
        const base = writePause(acks.map((t, i) => write(i, t)), [fault(faultAt)], end).pauseMs
        const more = writePause([...acks, ...extra].map((t, i) => write(i, t)), [fault(faultAt)], end).pauseMs
        return more <= base && base <= end - faultAt
      }))
  })

  it('percentile: nearest rank', () => {
    expect(percentile([], 50)).to.equal(0)
    expect(percentile([5, 1, 3], 50)).to.equal(3)
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).to.equal(99)
  })

  it('timeline: one column per 100 ms from 1 s before the fault, the pause blank, the faults lettered', () => {
    const acks = [...Array.from({ length: 20 }, (_, i) => write(i, 1000 + i * 50)), ...Array.from({ length: 20 }, (_, i) => write(100 + i, 3500 + i * 50))]
    const failed = write(99, 2500, 'error')
    const marks: Mark[] = [fault(2000), { at: 3000, kind: 'heal', label: 'heal' }]
    const text = renderTimeline(timelineData([...acks, failed], marks, 4500))
    const lines = text.split('\n')
    const writeRow = lines.find(l => l.trimStart().startsWith('write')) ?? ''
    // Columns 0–9 are the lead-in (acks), 10–24 the fault without acks (blank), 25– the recovery.
    expect(writeRow.slice('  write '.length, '  write '.length + 10)).to.match(/^[.:\-=#]{10}$/)
    expect(writeRow.slice('  write '.length + 10, '  write '.length + 25).trim()).to.equal('')
    expect(lines.find(l => l.trimStart().startsWith('fail'))).to.match(/1/)
    expect(lines.find(l => l.trimStart().startsWith('marks'))).to.match(/A {9}B/)
    expect(lines[0]).to.match(/-1s {7}0s {8}\+1s/)
    expect(text).to.include('A +0.0 s fault at 2000 · B +1.0 s heal')
  })
})
