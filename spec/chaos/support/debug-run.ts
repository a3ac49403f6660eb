// A whole driver run for auth.spec.ts, meant to run in a child process with
// DEBUG=* so every `debug` namespace (driver and fixture) writes to stderr:
// a cluster with the password from CHAOS_PASSWORD, connectivity, writes,
// reads, a leader stop under writes, the official-style `logging` option at
// debug level, and a wrong password (CHAOS_WRONG_PASSWORD). Prints "done" last.

import { startCluster } from '../../../cluster-fixture/index.js'
import neo4j from '../../../lib/index.js'

const password = process.env.CHAOS_PASSWORD ?? ''
const wrongPassword = process.env.CHAOS_WRONG_PASSWORD ?? ''
if (password === '' || wrongPassword === '') throw new Error('set CHAOS_PASSWORD and CHAOS_WRONG_PASSWORD')

async function main (): Promise<void> {
  const cluster = await startCluster({ primaries: 3, secondaries: 2, auth: { user: 'neo4j', password } })
  const logged: string[] = []
  const d = neo4j.driver(cluster.uri, neo4j.auth.basic('neo4j', password), {
    maxTransactionRetryTime: 15_000,
    logging: { level: 'debug', logger: (level, message) => { logged.push(`${level} ${message}`) } }
  })
  try {
    await d.verifyConnectivity({ database: 'neo4j' })
    for (let i = 0; i < 20; i++) await d.executeQuery('CREATE (:Secretless {i: $i})', { i }, { database: 'neo4j' })
    await d.executeQuery('MATCH (n:Secretless) RETURN count(n) AS n', {}, { database: 'neo4j', routing: 'READ' })
    const leader = await cluster.leader('neo4j')
    await cluster.stop(leader)
    for (let i = 20; i < 30; i++) await d.executeQuery('CREATE (:Secretless {i: $i})', { i }, { database: 'neo4j' }).catch(() => undefined)
    await cluster.start(leader)
    const wrong = neo4j.driver(cluster.uri, neo4j.auth.basic('neo4j', wrongPassword), { maxTransactionRetryTime: 2000 })
    const error = await wrong.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch((e: unknown) => e)
    await wrong.close()
    // What an application typically logs about a failure, too.
    process.stderr.write(`app saw: ${String(error)}\n`)
    process.stderr.write(`driver logger:\n${logged.join('\n')}\n`)
  } finally {
    await d.close()
    await cluster.close()
  }
  process.stdout.write('done\n')
}

main().catch((error: unknown) => {
  process.stderr.write(`debug-run failed: ${String(error)}\n`)
  process.exitCode = 1
})
