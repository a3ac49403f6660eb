// What the fixture serves to a client nobody here wrote: auto-commit
// `RETURN 1` queries from the official neo4j-driver, N concurrent sessions
// (default 32), each session reused for its whole loop, against a
// `cluster-fixture start` child process (so the client and the cluster do not
// share an event loop). Prints ops/s per round and the median.
//
// Usage: node dist/cluster-fixture/tools/measure-official-throughput.js
//   [--sessions 32] [--seconds 5] [--rounds 3] [--mode WRITE|READ]

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import neo4j from 'neo4j-driver'

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url))
const START_BOUND_MS = 30_000

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'WRITE' }
  }
})
const sessions = Number(values.sessions)
const seconds = Number(values.seconds)
const rounds = Number(values.rounds)
const mode = values.mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE
for (const [name, value] of Object.entries({ sessions, seconds, rounds })) {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`)
}

async function startCli (): Promise<{ uri: string, stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'start', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cluster-fixture did not start:\n${output}`)) }, START_BOUND_MS)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const found = /uri: (neo4j:\/\/\S+)/.exec(output)
      if (found?.[1] !== undefined && output.includes('ready')) { clearTimeout(timer); resolve(found[1]) }
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`cluster-fixture exited with ${String(code)}:\n${output}`)) })
  })
  const stop = async (): Promise<void> => {
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  return { uri, stop }
}

interface Round { opsPerSecond: number, clientCpuShare: number }

async function round (driver: ReturnType<typeof neo4j.driver>): Promise<Round> {
  const deadline = Date.now() + seconds * 1000
  let ops = 0
  const worker = async (): Promise<void> => {
    const session = driver.session({ database: 'neo4j', defaultAccessMode: mode })
    try {
      while (Date.now() < deadline) {
        await session.run('RETURN 1')
        ops++
      }
    } finally {
      await session.close()
    }
  }
  const started = Date.now()
  const cpuBefore = process.cpuUsage()
  await Promise.all(Array.from({ length: sessions }, worker))
  const cpu = process.cpuUsage(cpuBefore)
  const elapsedMs = Date.now() - started
  // The client's CPU share tells whether the fixture or the client is the limit.
  return { opsPerSecond: ops / (elapsedMs / 1000), clientCpuShare: (cpu.user + cpu.system) / 1000 / elapsedMs }
}

const cluster = await startCli()
const driver = neo4j.driver(cluster.uri, neo4j.auth.basic('neo4j', 'password123'))
try {
  await driver.verifyConnectivity()
  await round(driver) // warm-up: connections opened, code paths compiled
  const results: number[] = []
  for (let r = 1; r <= rounds; r++) {
    const { opsPerSecond, clientCpuShare } = await round(driver)
    results.push(opsPerSecond)
    console.log(`round ${r}: ${Math.round(opsPerSecond)} RETURN 1 per second (${sessions} sessions, ${mode}); client process CPU ${Math.round(clientCpuShare * 100)} % of one core`)
  }
  const sorted = [...results].sort((a, b) => a - b)
  console.log(`median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ops/s, min ${Math.round(sorted[0] ?? 0)}, max ${Math.round(sorted[sorted.length - 1] ?? 0)}`)
} finally {
  await driver.close()
  await cluster.stop()
}
