// The backend's TCP server: testkit opens one connection per test, and each
// connection gets its own isolated TestkitConnection (drivers, sessions, ids).

import { createServer, type AddressInfo, type Server } from 'node:net'
import { TestkitConnection } from './connection.js'

export interface BackendOptions {
  /** 0 = any free port. Default 9876, testkit's default. */
  readonly port?: number
  /** Default 127.0.0.1: the backend drives real connections for whoever reaches it, so it stays on loopback. */
  readonly host?: string
}

export interface RunningBackend {
  readonly host: string
  readonly port: number
  /** Connections currently open. */
  connections: () => number
  /** Stop listening, drop every connection and release its drivers. */
  close: () => Promise<void>
}

export const DEFAULT_PORT = 9876

export async function startBackend (options: BackendOptions = {}): Promise<RunningBackend> {
  const host = options.host ?? '127.0.0.1'
  const live = new Set<TestkitConnection>()
  let count = 0
  const server: Server = createServer(socket => {
    const connection = new TestkitConnection(socket, ++count)
    live.add(connection)
    void connection.closed.then(() => live.delete(connection))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  return {
    host,
    port,
    connections: () => live.size,
    close: async () => {
      const closing = new Promise<void>(resolve => server.close(() => resolve()))
      const released = [...live].map(async c => { c.destroy(); await c.closed })
      await Promise.all([closing, ...released])
    }
  }
}
