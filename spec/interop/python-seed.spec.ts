// The seed's Python programs, run by the official Python driver (neo4j 6.3.1)
// against `cluster-fixture start` in its own process: proof with a client
// nobody here wrote. The ping writer runs while the test stops the leader.
import { expect } from 'chai'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import neo4j from 'neo4j-driver'
import { CliCluster } from './support/cli-cluster.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const PYTHON = `${ROOT}.venv-py/bin/python`
const SCRIPTS = `${ROOT}examples/seed-python/`

function pythonDriverAvailable (): boolean {
  if (!existsSync(PYTHON)) return false
  try {
    execFileSync(PYTHON, ['-c', 'import neo4j'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

interface PythonRun { code: number | null, output: string }

/** Runs a seed script with NEO4J_URI pointing at the cluster; onLine sees stdout as it comes. */
async function runPython (script: string, uri: string, args: string[] = [], onLine?: (line: string) => void, timeoutMs = 60_000): Promise<PythonRun> {
  const child = spawn(PYTHON, [`${SCRIPTS}${script}`, ...args], {
    env: { ...process.env, NEO4J_URI: uri, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'password123', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) onLine?.(line)
  })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  return await new Promise<PythonRun>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('close', code => { clearTimeout(timer); resolve({ code, output }) })
  })
}

describe('interop: the seed Python programs on the official Python driver', function () {
  this.timeout(120_000)
  let cluster: CliCluster | undefined

  before(async function () {
    if (!pythonDriverAvailable()) {
      console.warn('    skipped: .venv-py with the Python neo4j driver is missing (node scripts/ensure-python-driver.mjs installs it)')
      this.skip()
    }
    cluster = await CliCluster.start()
  })

  after(async () => {
    await cluster?.close()
  })

  it('ClusterApp: add_city on the leader, get_cities on the readers', async () => {
    const run = await runPython('cluster_app.py', cluster!.uri)
    expect(run.code, run.output).to.equal(0)
    expect(run.output).to.include("Cities in cluster: ['Singapore']")
  })

  it('safe write with max_transaction_retry_time=60', async () => {
    const run = await runPython('safe_write.py', cluster!.uri)
    expect(run.code, run.output).to.equal(0)
    expect(run.output).to.include('Successfully wrote: Mumbai')
  })

  it('SHOW DATABASES: every member, and the leader of neo4j', async () => {
    const status = await cluster!.status()
    const leader = status.members.find(m => m.name === status.leaders.neo4j)
    const run = await runPython('cluster_status.py', cluster!.uri)
    expect(run.code, run.output).to.equal(0)
    const rows = run.output.split('\n').filter(line => /^(neo4j|system)\s+\S+\s+(primary|secondary)\s+127\.0\.0\.1:\d+$/.test(line))
    expect(rows).to.have.length(10) // two databases on five members
    expect(run.output).to.include('neo4j is hosted by 5 members')
    expect(run.output).to.include(`leader of neo4j: ${leader?.address ?? '?'}`)
  })

  it('CREATE DATABASE shipping TOPOLOGY 3 PRIMARIES 2 SECONDARIES', async () => {
    const run = await runPython('create_database.py', cluster!.uri)
    expect(run.code, run.output).to.equal(0)
    const rows = run.output.split('\n').filter(line => line.startsWith('shipping '))
    expect(rows.filter(r => r.includes(' primary '))).to.have.length(3)
    expect(rows.filter(r => r.includes(' secondary '))).to.have.length(2)
  })

  it('the ping writer keeps going while the leader is stopped, and every ping lands once', async () => {
    const count = 20
    const leader = await cluster!.leader('neo4j')
    let stopped: Promise<void> | undefined
    const run = await runPython('failover_ping.py', cluster!.uri, ['--count', String(count), '--interval', '0.2'], (line) => {
      if (stopped === undefined && line.startsWith('Successfully wrote Ping #5')) stopped = cluster!.act('stop', leader)
    })
    await stopped
    expect(stopped, 'the leader was stopped mid-run').to.not.equal(undefined)
    expect(run.code, run.output).to.equal(0)
    expect(run.output).to.include(`Pings written: ${count}`)

    // Independent check with the official JS driver (seeded with a member that
    // is still running: the stopped leader may be the URI's server1): each id exactly once.
    const running = (await cluster!.status()).members.find(m => m.state === 'running' && m.name !== leader)
    const driver = neo4j.driver(`neo4j://${running?.address ?? '?'}`, neo4j.auth.basic('neo4j', 'password123'))
    try {
      const { records } = await driver.executeQuery(
        'MATCH (p:Ping) RETURN count(p) AS pings, count(DISTINCT p.id) AS ids', {}, { database: 'neo4j' })
      expect(records[0]?.get('ids').toNumber()).to.equal(count)
      expect(records[0]?.get('pings').toNumber()).to.equal(count)
    } finally {
      await driver.close()
    }
    await cluster!.act('start', leader)
  })
})
