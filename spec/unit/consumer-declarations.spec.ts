// The published declarations stand on their own: a TypeScript app compiling
// with skipLibCheck false (every .d.ts it reaches is checked) must not hit our
// internals — e.g. a deep neo4j-driver-bolt-connection path that has no types
// outside this repository. A tiny consumer package imports both entry points
// by package name (as an installed copy would resolve them, through the
// package.json "exports" map into dist/) and is compiled with this repo's tsc.

import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const TSC = join(ROOT, 'node_modules/.bin/tsc')

const CONSUMER = `
import neo4j, { driver, auth, hasReachableServer, type Driver, type RxSession, type Config, type SessionConfig, type EagerResult } from 'neo4j-cluster-driver'
import { startCluster, type Cluster } from 'neo4j-cluster-driver/cluster-fixture'

interface Row { name: string }
const config: Config = { maxTransactionRetryTime: 30_000, logging: neo4j.logging.console('warn') }
const d: Driver = driver('neo4j://localhost:7687', auth.basic('neo4j', 'password123'), config)
const sessionConfig: SessionConfig = { database: 'neo4j', bookmarks: [['a'], ['b']] }
const rx: RxSession = d.rxSession(sessionConfig)
export async function use (): Promise<string[]> {
  const cluster: Cluster = await startCluster({ primaries: 3 })
  const { records }: EagerResult<Row> = await d.executeQuery<EagerResult<Row>>('MATCH (c:City) RETURN c.name AS name')
  await hasReachableServer(cluster.uri)
  void rx
  return records.map(r => r.get('name'))
}
`

async function compile (dir: string): Promise<{ code: number, output: string }> {
  return await new Promise(resolve => {
    execFile(TSC, ['-p', join(dir, 'tsconfig.json')], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (typeof error.code === 'number' ? error.code : 1), output: `${stdout}${stderr}` })
    })
  })
}

describe('published declarations: a consumer compiling with skipLibCheck false', function () {
  this.timeout(120_000)
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'neo4j-cluster-driver-consumer-'))
    await mkdir(join(dir, 'node_modules'))
    await symlink(ROOT, join(dir, 'node_modules', 'neo4j-cluster-driver'), 'dir')
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    await writeFile(join(dir, 'main.ts'), CONSUMER)
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        lib: ['es2023'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        // A Node app has @types/node; take this repo's copy.
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')]
      },
      files: ['main.ts']
    }))
  })

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('compiles the driver and cluster-fixture entry points without errors', async () => {
    const { code, output } = await compile(dir)
    expect(output, 'tsc output').to.equal('')
    expect(code).to.equal(0)
  })
})
