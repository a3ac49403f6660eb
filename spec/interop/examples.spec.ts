// The TypeScript examples, run the way a new user runs them: `npm run example
// -- <name>` (node dist/examples/run-example.js) against `cluster-fixture
// start` in its own process, with NEO4J_URI pointing at it. Each test checks
// what the example prints — the cities, the SHOW DATABASES table and routing
// table, the new database's members, every ping across a leader stop — not
// only that it exits 0. `npm run demo` brings its own cluster.

import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CliCluster } from './support/cli-cluster.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const RUN_EXAMPLE = `${ROOT}dist/examples/run-example.js`
const DEMO = `${ROOT}dist/examples/demo.js`

interface Run { code: number | null, output: string, stdout: string }

/** Runs a script with node; `onLine` sees stdout lines as they come. Killed after `timeoutMs`. */
async function runNode (script: string, args: string[], env: Record<string, string>, onLine?: (line: string) => void, timeoutMs = 90_000): Promise<Run> {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let output = ''
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    output += chunk.toString()
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) onLine?.(line)
  })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  return await new Promise<Run>(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('close', code => { clearTimeout(timer); resolve({ code, output, stdout }) })
  })
}

describe('examples: npm run example -- <name> against cluster-fixture start, output checked', function () {
  this.timeout(120_000)
  let cluster: CliCluster
  let env: Record<string, string>

  before(async () => {
    cluster = await CliCluster.start()
    env = { NEO4J_URI: cluster.uri, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'password123' }
  })
  after(async () => { await cluster?.close() })

  const example = async (name: string, args: string[] = [], onLine?: (line: string) => void): Promise<Run> =>
    await runNode(RUN_EXAMPLE, [name, ...args], env, onLine)

  it('without a name it lists the examples; an unknown name is an error', async () => {
    const usage = await runNode(RUN_EXAMPLE, [], env)
    expect(usage.code).to.equal(0)
    for (const name of ['cluster-app', 'failover-ping', 'safe-write', 'cluster-status', 'create-database', 'reactive']) expect(usage.output).to.include(name)
    expect((await runNode(RUN_EXAMPLE, ['no-such-example'], env)).code).to.equal(2)
  })

  it('cluster-app: add_city on the leader, get_cities on the readers', async () => {
    const run = await example('cluster-app')
    expect(run.code, run.output).to.equal(0)
    expect(run.stdout).to.equal('Cities in cluster: ["Singapore"]\n')
  })

  it('safe-write: a write with a 60 s retry budget', async () => {
    const run = await example('safe-write')
    expect(run.code, run.output).to.equal(0)
    expect(run.stdout).to.equal('Successfully wrote: Mumbai\n')
  })

  it('cluster-status: every member of both databases, the leader marked, and a real routing table for neo4j', async () => {
    const status = await cluster.status()
    const leader = status.members.find(m => m.name === status.leaders.neo4j)?.address
    const run = await example('cluster-status')
    expect(run.code, run.output).to.equal(0)
    const rows = run.stdout.split('\n').filter(line => /^(neo4j|system)\s+online\s+(primary|secondary)\s+127\.0\.0\.1:\d+/.test(line))
    expect(rows).to.have.length(10) // two databases on five members
    for (const member of status.members) expect(rows.filter(r => r.includes(member.address))).to.have.length(2)
    const leaderRows = rows.filter(r => r.startsWith('neo4j') && r.trimEnd().endsWith('LEADER'))
    expect(leaderRows).to.have.length(1)
    expect(leaderRows[0]).to.include(leader)
    const table = /routing table for neo4j \(ttl \d+ s\): writers (\[.*?\]), readers (\[.*?\]), routers (\[.*?\])/.exec(run.stdout)
    expect(table, run.stdout).to.not.equal(null)
    expect(JSON.parse(table?.[1] ?? '[]')).to.deep.equal([leader])
    expect(JSON.parse(table?.[2] ?? '[]')).to.have.length.greaterThan(0)
    expect(run.stdout).not.to.include('undefined')
  })

  it('create-database: shipping on 3 primaries and 2 secondaries, and its first write on its own leader', async () => {
    const run = await example('create-database')
    expect(run.code, run.output).to.equal(0)
    const rows = run.stdout.split('\n').filter(line => line.startsWith('shipping '))
    expect(rows.filter(r => /\sprimary\s/.test(r))).to.have.length(3)
    expect(rows.filter(r => /\ssecondary\s/.test(r))).to.have.length(2)
    expect(rows.every(r => r.trimEnd().endsWith('online'))).to.equal(true)
    const status = await cluster.status()
    const shippingLeader = status.members.find(m => m.name === status.leaders.shipping)?.address
    expect(run.stdout).to.include(`first write to shipping landed on ${shippingLeader ?? '?'}`)
  })

  it('reactive: a reactive write emits what it wrote; a paused and resumed stream reads everything back in order', async () => {
    const run = await example('reactive')
    expect(run.code, run.output).to.equal(0)
    expect(run.stdout).to.include('written: Lagos, Lima, Oslo\n')
    const read = /read back: (.*)\n/.exec(run.stdout)?.[1]?.split(', ') ?? []
    expect(read).to.include.members(['Lagos', 'Lima', 'Oslo'])
    expect(read).to.deep.equal([...read].sort())
    expect(run.stdout).to.include('bookmarks: 1\n')
  })

  it('failover-ping: every ping written once while the leader is stopped mid-run, the later ones on the new leader', async () => {
    const count = 30
    const leaderName = await cluster.leader('neo4j')
    const oldLeader = (await cluster.status()).members.find(m => m.name === leaderName)?.address
    let stopped: Promise<void> | undefined
    const run = await example('failover-ping', ['--count', String(count), '--interval', '100'], line => {
      if (stopped === undefined && line.startsWith('Successfully wrote Ping #5 ')) stopped = cluster.act('stop', leaderName)
    })
    await stopped
    try {
      expect(stopped, 'the leader was stopped mid-run').to.not.equal(undefined)
      expect(run.code, run.output).to.equal(0)
      const written = run.stdout.split('\n').filter(line => line.startsWith('Successfully wrote Ping #'))
      expect(written.map(line => Number(/#(\d+)/.exec(line)?.[1]))).to.deep.equal(Array.from({ length: count }, (_, i) => i))
      expect(written.at(-1)).to.not.include(oldLeader) // the last pings went to the new leader
      expect(run.stdout).to.match(new RegExp(`Pings written: ${count}; pings in the cluster: ${count}; longest extra pause: \\d+ ms`))
    } finally {
      await cluster.act('start', leaderName)
    }
  })
})

describe('examples: npm run demo (its own embedded cluster)', function () {
  this.timeout(180_000)

  it('tells the whole story: leader write, read-your-writes on lagging readers, failover with every ping accounted for, catch-up', async () => {
    const run = await runNode(DEMO, [], {}, undefined, 170_000)
    expect(run.code, run.output).to.equal(0)
    for (const step of ['== 1. Start a local cluster', '== 2. SHOW DATABASES', '== 3. Write', '== 4. Read your own write', '== 5. Failover', '== 6. The new leader', '== 7.']) {
      expect(run.stdout, step).to.include(step)
    }
    expect(run.stdout).to.match(/MERGE \(:City \{name: 'Singapore'\}\) ran on server\d \(the leader\)/)
    const reads = run.stdout.split('\n').filter(line => line.includes("executeQuery READ with the driver's bookmarks"))
    expect(reads).to.have.length(4)
    for (const line of reads) expect(line).to.include('"Mumbai"') // read-your-writes on every reader
    expect(run.stdout).to.match(/>>> server\d \(leader\) stopped/)
    expect(run.stdout.split('\n').filter(line => /Successfully wrote Ping #\d+ on server\d/.test(line))).to.have.length(30)
    expect(run.stdout).to.include('pings in the cluster: 30 (distinct ids: 30, written: 30)')
    expect(run.stdout).to.match(/server\d now holds 30 pings/)
    expect(run.stdout).to.include('Done.')
  })
})
