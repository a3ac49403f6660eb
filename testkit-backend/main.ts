#!/usr/bin/env node
// `npm run testkit-backend`: the conformance backend on 127.0.0.1:$BACKEND_PORT
// (default 9876) until SIGINT/SIGTERM. `DEBUG=neo4j-cluster:testkit` logs every
// request and response name (credentials redacted); `DEBUG=neo4j-cluster:*`
// adds the driver's own routing/pool/retry/session logs.

import { DEFAULT_PORT, startBackend } from './server.js'

function portFromEnvironment (): number {
  const raw = process.env.BACKEND_PORT
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`BACKEND_PORT must be a port number (0–65535), got '${raw}'`)
  }
  return port
}

async function main (): Promise<void> {
  const backend = await startBackend({ port: portFromEnvironment() })
  console.log(`neo4j-cluster-driver testkit backend listening on ${backend.host}:${backend.port}`)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: closing ${backend.connections()} connection(s)`)
    void backend.close().then(() => process.exit(0), (error: Error) => { console.error(error); process.exit(1) })
  }
  process.on('SIGINT', () => { stop('SIGINT') })
  process.on('SIGTERM', () => { stop('SIGTERM') })
}

main().catch((error: Error) => {
  console.error(`testkit backend failed to start: ${error.message}`)
  process.exit(1)
})
