// The CLI side of the control endpoint: finding it and calling it.
//
// A running `cluster-fixture start` writes its control port to a small state
// file in the OS temp directory; `--control-port` (or `--port`, meaning base
// port + 1000) overrides it.

import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'

export const CONTROL_PORT_OFFSET = 1000
const REQUEST_TIMEOUT_MS = 30_000

export interface StateFile {
  pid: number
  controlPort: number
  uri: string
}

/** `CLUSTER_FIXTURE_STATE_FILE` overrides the location (tests use it to stay out of a user's way). */
export function stateFilePath (): string {
  const override = process.env.CLUSTER_FIXTURE_STATE_FILE
  if (override !== undefined && override !== '') return override
  const user = (() => { try { return String(os.userInfo().uid) } catch { return 'user' } })()
  return path.join(os.tmpdir(), `neo4j-cluster-fixture-${user}.json`)
}

export function writeStateFile (state: StateFile): void {
  fs.writeFileSync(stateFilePath(), JSON.stringify(state), { mode: 0o600 })
}

/** Removes the state file if it still describes this process. */
export function removeStateFile (pid: number): void {
  const state = readStateFile()
  if (state?.pid === pid) fs.rmSync(stateFilePath(), { force: true })
}

export function readStateFile (): StateFile | null {
  try {
    const state = JSON.parse(fs.readFileSync(stateFilePath(), 'utf8')) as StateFile
    if (!Number.isInteger(state.controlPort) || !Number.isInteger(state.pid)) return null
    process.kill(state.pid, 0) // throws when that process is gone
    return state
  } catch {
    return null
  }
}

/** One request to the control endpoint on 127.0.0.1; resolves with the JSON answer or rejects with its error. */
export async function controlRequest (port: number, method: 'GET' | 'POST', pathname: string): Promise<unknown> {
  return await new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path: pathname, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        let body: unknown
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { body = {} }
        if ((response.statusCode ?? 500) >= 400) reject(new Error((body as { error?: string }).error ?? `HTTP ${response.statusCode}`))
        else resolve(body)
      })
    })
    request.on('timeout', () => request.destroy(new Error(`no answer from the control endpoint within ${REQUEST_TIMEOUT_MS} ms`)))
    request.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ECONNREFUSED'
        ? new Error(`no cluster-fixture control endpoint on 127.0.0.1:${port} (is \`cluster-fixture start\` running? pass --control-port)`)
        : error)
    })
    request.end()
  })
}
