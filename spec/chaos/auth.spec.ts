// Auth under the chaos suite's eye: a wrong password fails once (one LOGON
// on the whole cluster, the transaction work at most once), is not retried, and
// neither the error (message, cause chain, inspected object) nor a whole run's
// DEBUG=* output carries a credential.

import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import neo4j, { Neo4jError } from '../../lib/index.js'

const PASSWORD = 'chaos-Pa55-9f3e-good'
const WRONG = 'chaos-Wr0ng-77d1-bad'

/** Every way a credential could leak into text. */
function forms (secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(`neo4j:${secret}`).toString('base64'), Buffer.from(secret).toString('hex')]
}

function logons (cluster: Cluster): number {
  return cluster.members().reduce((sum, m) => sum + (cluster.server(m.name).stats().messages.LOGON ?? 0), 0)
}

describe('chaos: credentials', function () {
  this.timeout(60_000)
  let cluster: Cluster

  before(async () => { cluster = await startCluster({ primaries: 3, secondaries: 2, auth: { user: 'neo4j', password: PASSWORD } }) })
  after(async () => { await cluster?.close() })

  for (const api of ['executeQuery', 'executeWrite', 'session.run'] as const) {
    it(`${api}: a wrong password fails once, is not retried, and the error never shows it`, async () => {
      for (const m of cluster.members()) cluster.server(m.name).resetStats()
      const d = neo4j.driver(cluster.uri, neo4j.auth.basic('neo4j', WRONG), { maxTransactionRetryTime: 10_000 })
      let workRuns = 0
      let error: unknown
      try {
        if (api === 'executeQuery') {
          await d.executeQuery('RETURN 1', {}, { database: 'neo4j', resultTransformer: async r => { workRuns++; return await r } })
        } else {
          const session = d.session({ database: 'neo4j' })
          try {
            if (api === 'executeWrite') await session.executeWrite(async tx => { workRuns++; await tx.run('CREATE (:Never)') })
            else await session.run('RETURN 1')
          } finally {
            await session.close()
          }
        }
      } catch (e) {
        error = e
      } finally {
        await d.close()
      }
      expect(error).to.be.instanceOf(Neo4jError)
      const e = error as Neo4jError
      expect(e.code).to.equal('Neo.ClientError.Security.Unauthorized')
      expect(e.retryable).to.equal(false)
      // The work may start before BEGIN is answered (our driver pipelines it), but it never runs twice.
      expect(workRuns).to.be.at.most(1)
      // One authentication attempt on the whole cluster: no retry, no second router, no second member.
      expect(logons(cluster)).to.equal(1)
      const text = [e.message, String(e), inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e)].join('\n')
      for (const form of forms(WRONG)) expect(text).to.not.include(form)
      expect(e.message).to.match(/unauthorized|authentication/i)
    })
  }

  it('DEBUG=* output of a whole run (writes, reads, a leader stop, a wrong password) contains no credential', async () => {
    const script = fileURLToPath(new URL('./support/debug-run.js', import.meta.url))
    const { stdout, stderr } = await new Promise<{ stdout: string, stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [script], {
        env: { ...process.env, DEBUG: '*', DEBUG_DEPTH: '10', CHAOS_PASSWORD: PASSWORD, CHAOS_WRONG_PASSWORD: WRONG },
        timeout: 50_000,
        maxBuffer: 256 * 1024 * 1024
      }, (error, out, err) => {
        if (error !== null && !/done/.test(out)) reject(new Error(`debug run failed: ${error.message}\n${err.slice(-2000)}`))
        else resolve({ stdout: out, stderr: err })
      })
    })
    expect(stdout).to.include('done')
    const output = stdout + stderr
    // The run really logged: driver and fixture namespaces, the driver's logger, the failure the app saw.
    expect(output).to.include('neo4j-cluster:routing')
    expect(output).to.include('neo4j-cluster:fixture')
    expect(output).to.match(/app saw: .*Unauthorized|app saw: .*authentication/i)
    for (const form of [...forms(PASSWORD), ...forms(WRONG)]) expect(output, `found ${form}`).to.not.include(form)
  })
})
