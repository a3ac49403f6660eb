// Reading CPU profiles (bench --profile): owners of frames, self and
// inclusive time from samples and time deltas, without machine paths; and
// sampling heap profiles: bytes allocated by owner and by site.

import { expect } from 'chai'
import { analyseAllocations, type HeapProfileNode, type SamplingHeapProfile } from '../../bench/allocation-analysis.js'
import { summarizeGc } from '../../bench/gc-analysis.js'
import { analyseProfile, categorize, packageOf, shortLocation, type CallFrame, type CpuProfile } from '../../bench/profile-analysis.js'
import { renderProfileReport } from '../../bench/profile-report.js'

const frame = (functionName: string, url: string, lineNumber = 0): CallFrame => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' })
const ROOT = '/home/someone/project'

/**
 * (root) ─ run (ours) ─ pack (bolt-connection) ─ writeBuffer (native)
 *        │          └─ run (ours, recursion)
 *        ├─ (garbage collector)
 *        └─ (idle)
 */
/** (root) ─ run (ours, 4 KiB) ─ pack (bolt-connection, 1 KiB); (root) ─ x ─ run (ours, 2 KiB); (root) ─ Promise (native, 512 B) */
function heapProfile (): SamplingHeapProfile {
  const node = (id: number, f: CallFrame, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode => ({ id, callFrame: f, selfSize, children })
  const run = frame('run', `file://${ROOT}/dist/lib/session/session.js`, 9)
  return {
    head: node(1, frame('(root)', ''), 0, [
      node(2, run, 4096, [node(3, frame('pack', `file://${ROOT}/node_modules/neo4j-driver-bolt-connection/lib/packstream/packstream-v1.js`, 99), 1024)]),
      node(4, frame('x', `file://${ROOT}/dist/lib/x.js`), 0, [node(5, run, 2048)]),
      node(6, frame('Promise', ''), 512)
    ])
  }
}

function profile (): CpuProfile {
  return {
    startTime: 0,
    endTime: 10_000,
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 6, 7] },
      { id: 2, callFrame: frame('run', `file://${ROOT}/dist/lib/session/session.js`, 9), children: [3, 5] },
      { id: 3, callFrame: frame('pack', `file://${ROOT}/node_modules/neo4j-driver-bolt-connection/lib/packstream/packstream-v1.js`, 99), children: [4] },
      { id: 4, callFrame: frame('writeBuffer', '') },
      { id: 5, callFrame: frame('run', `file://${ROOT}/dist/lib/session/session.js`, 9) },
      { id: 6, callFrame: frame('(garbage collector)', '') },
      { id: 7, callFrame: frame('(idle)', '') }
    ],
    // Each sample lasts until the next one (1 000 µs each); the last one until the end (4 000 µs).
    samples: [2, 3, 4, 5, 6, 7, 4],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000]
  }
}

describe('bench: CPU profile analysis', () => {
  it('names locations without machine paths and tells the package', () => {
    expect(shortLocation(`file://${ROOT}/dist/lib/driver.js`)).to.equal('dist/lib/driver.js')
    expect(shortLocation(`file://${ROOT}/node_modules/neo4j-driver-core/lib/result.js`)).to.equal('neo4j-driver-core/lib/result.js')
    expect(shortLocation('node:internal/timers')).to.equal('node:internal/timers')
    expect(shortLocation('')).to.equal('')
    expect(packageOf('neo4j-driver-core/lib/result.js')).to.equal('neo4j-driver-core')
    expect(packageOf('@scope/pkg/index.js')).to.equal('@scope/pkg')
    expect(packageOf('node:net')).to.equal(null)
  })

  it('groups frames by owner: ours, the two shared layers, the official driver, other packages, the harness, node, native, GC', () => {
    expect(categorize(frame('f', `file://${ROOT}/dist/lib/x.js`))).to.equal('ours (dist/lib)')
    expect(categorize(frame('f', `file://${ROOT}/node_modules/neo4j-driver-bolt-connection/lib/x.js`))).to.equal('bolt-connection')
    expect(categorize(frame('f', `file://${ROOT}/node_modules/neo4j-driver-core/lib/x.js`))).to.equal('core')
    expect(categorize(frame('f', `file://${ROOT}/node_modules/neo4j-driver/lib/driver.js`))).to.equal('neo4j-driver (official)')
    expect(categorize(frame('pRetry', `file://${ROOT}/node_modules/p-retry/index.js`))).to.equal('other packages')
    expect(categorize(frame('f', `file://${ROOT}/dist/bench/worker.js`))).to.equal('harness (dist/bench, fixture codec)')
    expect(categorize(frame('f', 'node:net'))).to.equal('node internals')
    expect(categorize(frame('writev', ''))).to.equal('native / builtins')
    expect(categorize(frame('(garbage collector)', ''))).to.equal('GC')
    expect(categorize(frame('(program)', ''))).to.equal('program (V8, native code)')
    expect(categorize(frame('(idle)', ''))).to.equal('idle')
  })

  it('self time from the time each sample lasted; idle is left out of the shares', () => {
    const a = analyseProfile(profile())
    expect(a.samples).to.equal(7)
    expect(a.idleMs).to.equal(1)
    expect(a.busyMs).to.equal(9) // run 1 + pack 1 + writeBuffer (1 + 4) + recursive run 1 + GC 1
    const writeBuffer = a.self.find((f) => f.name === 'writeBuffer')
    expect(writeBuffer?.ms).to.equal(5)
    expect(writeBuffer?.percent).to.be.closeTo(55.56, 0.01)
    expect(a.self[0].name).to.equal('writeBuffer')
    const run = a.self.find((f) => f.name === 'run')
    expect(run?.ms).to.equal(2) // node 2 and the recursive node 5: one function
    expect(run?.location).to.equal('dist/lib/session/session.js:10')
    expect(a.categories.map((c) => c.category)).to.deep.equal(['ours (dist/lib)', 'bolt-connection', 'native / builtins', 'GC'])
    expect(a.ourFiles).to.have.length(1)
    expect(a.ourFiles[0].file).to.equal('dist/lib/session/session.js')
    expect(a.ourFiles[0].ms).to.equal(2)
  })

  it('inclusive time counts a sample once per function on its stack, recursion included', () => {
    const a = analyseProfile(profile())
    const run = a.inclusive.find((f) => f.name === 'run')
    expect(run?.ms).to.equal(8) // everything under it, the recursive sample once
    expect(a.inclusive.find((f) => f.name === 'pack')?.ms).to.equal(6)
    expect(a.inclusive.some((f) => f.name === '(root)')).to.equal(false)
  })

  it('a source resolver names the TypeScript line', () => {
    const a = analyseProfile(profile(), (f) => f.url.includes('/dist/lib/') ? 'lib/session/session.ts:42' : null)
    expect(a.self.find((f) => f.name === 'run')?.location).to.equal('lib/session/session.ts:42')
    expect(a.self.find((f) => f.name === 'pack')?.location).to.equal('neo4j-driver-bolt-connection/lib/packstream/packstream-v1.js:100')
  })

  it('allocations: self bytes by owner and by site (the same function at two stack places is one site), total over the tree', () => {
    const allocation = analyseAllocations(heapProfile())
    expect(allocation.totalBytes).to.equal(4096 + 1024 + 2048 + 512)
    expect(allocation.categories).to.deep.equal([
      { category: 'ours (dist/lib)', bytes: 4096 + 2048 },
      { category: 'bolt-connection', bytes: 1024 },
      { category: 'native / builtins', bytes: 512 }
    ])
    expect(allocation.sites[0]).to.deep.equal({ name: 'run', location: 'dist/lib/session/session.js:10', category: 'ours (dist/lib)', bytes: 6144 })
    expect(allocation.sites.map((s) => s.name)).to.deep.equal(['run', 'pack', 'Promise'])
    const resolved = analyseAllocations(heapProfile(), (f) => f.url.includes('/dist/lib/') ? 'lib/session/session.ts:42' : null)
    expect(resolved.sites[0].location).to.equal('lib/session/session.ts:42')
  })

  it('GC profile: young collections, their pauses and what they promoted (old space after minus before); full collections apart', () => {
    const spaces = (old: number) => ({ heapSpaceStatistics: [{ spaceName: 'new_space', spaceUsedSize: 999 }, { spaceName: 'old_space', spaceUsedSize: old }] })
    const summary = summarizeGc([
      { gcType: 'Scavenge', cost: 1500, beforeGC: spaces(1000), afterGC: spaces(1600) },
      { gcType: 'Scavenge', cost: 500, beforeGC: spaces(1600), afterGC: spaces(1600) },
      // A full collection frees old space: not a promotion.
      { gcType: 'MarkSweepCompact', cost: 8000, beforeGC: spaces(1600), afterGC: spaces(400) },
      { gcType: 'ProcessWeakCallbacks', cost: 10, beforeGC: spaces(400), afterGC: spaces(400) }
    ])
    expect(summary).to.deep.equal({ young: 2, youngMs: 2, promotedBytes: 600, full: 1, fullMs: 8 })
  })

  it('the report shows per-operation costs by owner and the top functions, with no machine path', () => {
    const analysis = analyseProfile(profile())
    const md = renderProfileReport([
      {
        workload: 'read-return-1-c1', title: 'executeQuery read `RETURN 1`, concurrency 1', contender: 'ours', ops: 4, errors: 0, elapsedMs: 10, cpuMicros: 9000, file: 'bench/results/profiles/x.cpuprofile', analysis,
        gc: { young: 2, youngMs: 1, promotedBytes: 4000, full: 0, fullMs: 0 },
        allocation: { ops: 2, analysis: analyseAllocations(heapProfile()) }
      }
    ], {
      startedAt: '2026-01-01T00:00:00.000Z',
      machine: { cpuModel: 'Test CPU', cores: 2, node: 'v20.0.0', os: 'Linux', memoryGiB: 4, loadAverage: 0.5, commit: 'abc123' },
      command: 'npm run bench -- --profile read-return-1-c1',
      windowMs: 10_000,
      warmupMs: 2000,
      intervalUs: 200,
      database: 'neo4j',
      serverSideRouting: true,
      allocationWindowMs: 3000,
      heapSamplingBytes: 1024
    })
    for (const text of ['## executeQuery read `RETURN 1`, concurrency 1', '| ours (dist/lib) | 500.0 (22.2 %) |', '| 1 | writeBuffer |', 'Our functions by inclusive time', '`dist/lib/session/session.js:10`',
      // 6 KiB of ours over 2 operations; 7.5 KiB in all.
      '| young collections per 1,000 ops | 500.0 |', '| young-collection pause, µs/op | 250.0 |', '| promoted to the old generation, bytes/op | 1,000 |',
      'Allocated per operation by owner (KiB/op)', '| ours (dist/lib) | 3.0 |', '| **total** | **3.8** |', 'Our top 10 allocation sites', '| run | `dist/lib/session/session.js:10` | 3.0 |']) {
      expect(md, text).to.contain(text)
    }
    expect(md).to.not.contain(ROOT)
  })
})
