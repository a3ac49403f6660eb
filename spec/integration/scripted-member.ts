// A scripted Bolt member for wire-level specs: it negotiates the Bolt version
// a test asks for (also versions the fixture does not serve, such as 4.3 and
// 3.0), records every request it receives, and answers each one as the test's
// script says. A request the script does not expect is answered by closing the
// connection, as testkit's recorded servers do, so a driver that sends
// something a server would not expect fails the test instead of passing.

import net from 'node:net'
import { Dechunker } from '../../cluster-fixture/bolt/chunking.js'
import { PackStreamWriter, Structure, unpack, writePackValue, type PackValue } from '../../cluster-fixture/bolt/packstream.js'

export const REQUEST_TAGS: Readonly<Record<number, string>> = {
  0x01: 'HELLO', 0x02: 'GOODBYE', 0x0F: 'RESET', 0x10: 'RUN', 0x11: 'BEGIN', 0x12: 'COMMIT', 0x13: 'ROLLBACK',
  0x2F: 'DISCARD', 0x3F: 'PULL', 0x54: 'TELEMETRY', 0x66: 'ROUTE', 0x6A: 'LOGON', 0x6B: 'LOGOFF'
}

/** One request as the member received it: its name and fields (maps as plain objects, integers as bigint). */
export interface Received {
  readonly connection: number
  readonly name: string
  readonly fields: readonly PackValue[]
}

export type Reply =
  | { readonly success: Record<string, PackValue> }
  | { readonly record: readonly PackValue[] }
  | { readonly failure: { code: string, message: string } }
  | { readonly ignored: true }

/**
 * How to answer one request: replies to send, 'close' to hang up, or
 * undefined when the request is not in the script (the member hangs up).
 */
export type Script = (request: Received, history: readonly Received[]) => readonly Reply[] | 'close' | undefined

export const success = (metadata: Record<string, PackValue> = {}): Reply => ({ success: metadata })
export const record = (...values: PackValue[]): Reply => ({ record: values })
export const failure = (code: string, message = 'scripted failure'): Reply => ({ failure: { code, message } })
export const IGNORED: Reply = { ignored: true }

const TAG = { SUCCESS: 0x70, RECORD: 0x71, IGNORED: 0x7E, FAILURE: 0x7F }

function encode (reply: Reply): Buffer {
  const message = 'success' in reply
    ? new Structure(TAG.SUCCESS, [reply.success])
    : 'record' in reply
      ? new Structure(TAG.RECORD, [[...reply.record]])
      : 'failure' in reply
        ? new Structure(TAG.FAILURE, [{ code: reply.failure.code, message: reply.failure.message }])
        : new Structure(TAG.IGNORED, [])
  const writer = new PackStreamWriter(64)
  writePackValue(writer, message)
  const body = writer.take()
  const header = Buffer.alloc(2)
  header.writeUInt16BE(body.length)
  return Buffer.concat([header, body, Buffer.from([0, 0])])
}

/** Answers HELLO (and LOGON) as a server of `agent` would; RESET and GOODBYE the usual way. */
export function housekeeping (agent = 'Neo4j/4.4.0'): Script {
  return (request) => {
    switch (request.name) {
      case 'HELLO': return [success({ server: agent, connection_id: `bolt-${request.connection}` })]
      case 'LOGON': return [success()]
      case 'RESET': return [success()]
      case 'GOODBYE': return 'close'
      default: return undefined
    }
  }
}

/** The first script with an answer wins. */
export function either (...scripts: Script[]): Script {
  return (request, history) => {
    for (const script of scripts) {
      const answer = script(request, history)
      if (answer !== undefined) return answer
    }
    return undefined
  }
}

export class ScriptedMember {
  readonly received: Received[] = []
  /** Requests the script did not expect (each closed its connection). */
  readonly unexpected: Received[] = []
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()
  private connections = 0

  private constructor (server: net.Server) {
    this.server = server
  }

  /** Listens on a free loopback port and negotiates Bolt `major.minor`. */
  static async start (version: { major: number, minor: number }, script: Script): Promise<ScriptedMember> {
    let member: ScriptedMember | undefined
    const server = net.createServer(socket => member?.serve(socket, version, script))
    member = new ScriptedMember(server)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return member
  }

  get address (): string {
    const address = this.server.address() as net.AddressInfo
    return `127.0.0.1:${address.port}`
  }

  /** Names of the requests received, in order (all connections). */
  names (): string[] {
    return this.received.map(r => r.name)
  }

  async close (): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  private serve (socket: net.Socket, version: { major: number, minor: number }, script: Script): void {
    const id = ++this.connections
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
    let handshake: Buffer | null = Buffer.alloc(0)
    const dechunker = new Dechunker(1 << 20)
    socket.on('data', (data: Buffer) => {
      if (handshake !== null) {
        handshake = Buffer.concat([handshake, data])
        if (handshake.length < 20) return
        const rest = handshake.subarray(20)
        handshake = null
        // The legacy answer (the chosen version), which every driver that offers a manifest also accepts.
        socket.write(Buffer.from([0, 0, version.minor, version.major]))
        if (rest.length === 0) return
        data = rest
      }
      try {
        dechunker.feed(data, body => this.handle(socket, id, unpack(body) as Structure, script))
      } catch {
        socket.destroy()
      }
    })
  }

  private handle (socket: net.Socket, connection: number, message: Structure, script: Script): void {
    if (socket.destroyed) return
    const request: Received = { connection, name: REQUEST_TAGS[message.tag] ?? `0x${message.tag.toString(16)}`, fields: message.fields }
    this.received.push(request)
    const answer = script(request, this.received)
    if (answer === undefined) {
      this.unexpected.push(request)
      socket.destroy()
      return
    }
    if (answer === 'close') {
      socket.end()
      return
    }
    if (answer.length > 0) socket.write(Buffer.concat(answer.map(encode)))
  }
}
