// Runs `cluster-fixture start` as a child process, the way a user does with
// `npx cluster-fixture start`, and talks to its loopback control endpoint.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../../cluster-fixture/cli.js', import.meta.url))

export interface CliStatus {
  uri: string
  members: Array<{ name: string, address: string, mode: string, state: string }>
  leaders: Record<string, string | null>
}

export class CliCluster {
  private constructor (
    private readonly child: ChildProcess,
    readonly uri: string,
    readonly controlPort: number,
    readonly output: () => string
  ) {}

  /** Starts the CLI on free ports and resolves once it prints "ready". */
  static async start (extraArgs: string[] = [], timeoutMs = 20_000): Promise<CliCluster> {
    const child = spawn(process.execPath, [CLI, 'start', '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    return await new Promise<CliCluster>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cluster-fixture did not start within ${timeoutMs} ms:\n${output}`)) }, timeoutMs)
      const check = (): void => {
        const uri = /uri: (neo4j:\/\/\S+)/.exec(output)?.[1]
        const control = /control: 127\.0\.0\.1:(\d+)/.exec(output)?.[1]
        if (uri !== undefined && control !== undefined && output.includes('ready')) {
          clearTimeout(timer)
          child.stdout?.off('data', check)
          resolve(new CliCluster(child, uri, Number(control), () => output))
        }
      }
      child.stdout?.on('data', check)
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`cluster-fixture exited with ${String(code)}:\n${output}`)) })
    })
  }

  async status (): Promise<CliStatus> {
    return await this.request('GET', '/status') as CliStatus
  }

  async act (action: 'stop' | 'start' | 'blackhole' | 'partition' | 'heal', member: string): Promise<void> {
    await this.request('POST', `/members/${member}/${action}`)
  }

  /** The leader of a database, polling the control endpoint (bounded). */
  async leader (database = 'neo4j', timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const leader = (await this.status()).leaders[database]
      if (typeof leader === 'string') return leader
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    throw new Error(`no leader for ${database} within ${timeoutMs} ms`)
  }

  /** Asks the cluster to shut down, then makes sure the process is gone. */
  async close (timeoutMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise<void>(resolve => this.child.once('exit', () => resolve()))
    try {
      await this.request('POST', '/shutdown')
    } catch {
      this.child.kill('SIGTERM')
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }

  private async request (method: 'GET' | 'POST', path: string): Promise<unknown> {
    const response = await fetch(`http://127.0.0.1:${this.controlPort}${path}`, { method, signal: AbortSignal.timeout(10_000) })
    const body = await response.json() as unknown
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${JSON.stringify(body)}`)
    return body
  }
}
