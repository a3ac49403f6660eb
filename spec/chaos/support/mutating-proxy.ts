// A loopback TCP proxy in front of one Bolt member that corrupts what the
// server sends, once: at a chosen byte of an answer stream (the first
// connection whose stream gets that far), a flipped bit, a cut (then close,
// stall or reset), inserted or overwritten bytes. What the client sends passes
// unchanged. For fuzzing the driver with inputs no well-behaved server produces.

import net from 'node:net'

export type Mutation =
  | { readonly kind: 'flip', readonly offset: number, readonly bit: number }
  | { readonly kind: 'cut-close', readonly offset: number }
  | { readonly kind: 'cut-stall', readonly offset: number }
  | { readonly kind: 'cut-reset', readonly offset: number }
  | { readonly kind: 'insert', readonly offset: number, readonly bytes: readonly number[] }
  | { readonly kind: 'overwrite', readonly offset: number, readonly bytes: readonly number[] }
  /** Replace the first occurrence of `find` (within one received chunk) by `bytes`: for exact, repeatable corruptions. */
  | { readonly kind: 'replace', readonly find: readonly number[], readonly bytes: readonly number[] }

export class MutatingProxy {
  private readonly sockets = new Set<net.Socket>()
  /** Bytes the server sent on the first connection (for choosing offsets). */
  firstStreamLength = 0
  /** Connections accepted so far. */
  connections = 0
  /** The client socket whose stream was corrupted, once it has been. */
  private corrupted: net.Socket | null = null

  private constructor (private readonly server: net.Server, private readonly targetPort: number, private readonly mutation: Mutation | null) {
    server.on('connection', (client) => this.accept(client))
  }

  static async start (targetPort: number, mutation: Mutation | null): Promise<MutatingProxy> {
    const server = net.createServer()
    const proxy = new MutatingProxy(server, targetPort, mutation)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve() })
    })
    return proxy
  }

  get port (): number {
    return (this.server.address() as net.AddressInfo).port
  }

  get mutationApplied (): boolean {
    return this.corrupted !== null
  }

  /** Whether the connection that received the corruption is still open on the driver's side. */
  corruptedSocketOpen (): boolean {
    return this.corrupted !== null && !this.corrupted.destroyed
  }

  /** Client-side sockets still open (0 once the driver has closed everything). */
  openClientSockets (): number {
    return [...this.sockets].filter(s => !s.destroyed).length
  }

  async close (): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  private accept (client: net.Socket): void {
    const first = this.connections++ === 0
    this.sockets.add(client)
    const upstream = net.connect(this.targetPort, '127.0.0.1')
    let sent = 0
    let state: 'passing' | 'stalled' | 'done' = 'passing'
    client.on('close', () => { this.sockets.delete(client); upstream.destroy() })
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => { if (state !== 'stalled') client.destroy() })
    upstream.on('close', () => { if (state !== 'stalled') client.end() })
    client.on('data', (chunk: Buffer) => { if (!upstream.destroyed) upstream.write(chunk) })
    upstream.on('data', (chunk: Buffer) => {
      if (first) this.firstStreamLength += chunk.length
      if (state === 'stalled' || state === 'done') return
      const m = this.mutation
      const start = sent
      sent += chunk.length
      if (m?.kind === 'replace') {
        const at = this.corrupted === null ? chunk.indexOf(Buffer.from(m.find)) : -1
        if (at < 0) { client.write(chunk); return }
        this.corrupted = client
        client.write(Buffer.concat([chunk.subarray(0, at), Buffer.from(m.bytes), chunk.subarray(at + m.find.length)]))
        return
      }
      if (m === null || this.corrupted !== null || m.offset < start || m.offset >= sent) { client.write(chunk); return }
      this.corrupted = client
      const at = m.offset - start
      const before = chunk.subarray(0, at)
      const rest = chunk.subarray(at)
      switch (m.kind) {
        case 'flip': {
          const copy = Buffer.from(chunk)
          copy[at] = (copy[at] as number) ^ (1 << m.bit)
          client.write(copy)
          return
        }
        case 'insert':
          client.write(Buffer.concat([before, Buffer.from(m.bytes), rest]))
          return
        case 'overwrite': {
          const copy = Buffer.from(chunk)
          Buffer.from(m.bytes).copy(copy, at)
          client.write(copy)
          return
        }
        case 'cut-close':
          state = 'done'
          client.end(before)
          upstream.destroy()
          return
        case 'cut-stall':
          // Keep the client's socket open and silent: only its own timeouts can end this.
          state = 'stalled'
          client.write(before)
          return
        case 'cut-reset':
          state = 'done'
          client.write(before, () => client.resetAndDestroy())
          upstream.destroy()
      }
    })
  }
}
