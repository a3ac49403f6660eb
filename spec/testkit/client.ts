// A minimal testkit stand-in for the specs: it speaks the framing over TCP,
// reads responses the way testkit's backend.py does (including its
// "50 blank lines = crashed backend" rule) and keeps every byte it received
// so the specs can check the stream as a whole.

import { connect, type Socket } from 'node:net'
import { parseJson, stringifyJson } from '../../testkit-backend/protocol/json.js'

export interface Response { name: string, data: Record<string, any> }

const RESPONSE_TIMEOUT_MS = 20_000

export class TestkitClient {
  /** Everything the backend wrote, for stream-level checks. */
  raw = ''
  private buffer = ''
  private readonly lines: string[] = []
  private wake: (() => void) | undefined
  private ended = false
  /** When set, BookmarksConsumerRequest callbacks are answered here and counted, instead of being returned. */
  answerConsumerCallbacks = false
  consumerCallbacks: Array<Record<string, any>> = []

  private constructor (private readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.raw += chunk
      this.buffer += chunk
      let newline = this.buffer.indexOf('\n')
      while (newline >= 0) {
        this.lines.push(this.buffer.slice(0, newline))
        this.buffer = this.buffer.slice(newline + 1)
        newline = this.buffer.indexOf('\n')
      }
      this.wake?.()
    })
    socket.on('close', () => { this.ended = true; this.wake?.() })
    socket.on('error', () => {})
  }

  static async connect (port: number): Promise<TestkitClient> {
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
    return new TestkitClient(socket)
  }

  /** The framed bytes of a request, for tests that write them in odd pieces. */
  static frame (name: string, data: Record<string, unknown> = {}): string {
    return `#request begin\n${stringifyJson({ name, data })}\n#request end\n`
  }

  writeRaw (text: string): void {
    this.socket.write(text)
  }

  send (name: string, data: Record<string, unknown> = {}): void {
    this.writeRaw(TestkitClient.frame(name, data))
  }

  /** Next response, parsed like testkit does; fails on the blank-line rule, a closed socket or a timeout. */
  async receive (timeoutMs = RESPONSE_TIMEOUT_MS): Promise<Response> {
    const until = Date.now() + timeoutMs
    let body: string[] | undefined
    let blanks = 0
    for (;;) {
      const line = this.lines.shift()
      if (line === undefined) {
        if (this.ended) throw new Error('backend closed the connection')
        const left = until - Date.now()
        if (left <= 0) throw new Error(`no response within ${timeoutMs} ms`)
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, left)
          this.wake = () => { clearTimeout(timer); resolve() }
        })
        this.wake = undefined
        continue
      }
      const trimmed = line.trim()
      if (trimmed === '#response begin') {
        if (body !== undefined) throw new Error('"#response begin" inside a response')
        body = []
      } else if (trimmed === '#response end') {
        if (body === undefined) throw new Error('"#response end" outside a response')
        const response = parseJson(body.join('')) as Response
        body = undefined
        if (this.answerConsumerCallbacks && response.name === 'BookmarksConsumerRequest') {
          this.consumerCallbacks.push(response.data)
          this.send('BookmarksConsumerCompleted', { requestId: response.data.id })
          continue
        }
        return response
      } else if (body !== undefined) {
        body.push(trimmed)
      } else if (trimmed === '' && ++blanks > 50) {
        throw new Error('Detected possible crash in backend (more than 50 blank lines)')
      }
    }
  }

  async request (name: string, data: Record<string, unknown> = {}): Promise<Response> {
    this.send(name, data)
    return await this.receive()
  }

  /** Like request(), but the response must be `expected`; otherwise the error says what came instead. */
  async expect (expected: string, name: string, data: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const response = await this.request(name, data)
    if (response.name !== expected) throw new Error(`${name}: expected ${expected}, got ${response.name} ${JSON.stringify(response.data)}`)
    return response.data
  }

  async close (): Promise<void> {
    if (this.ended) return
    const closed = new Promise<void>(resolve => this.socket.once('close', () => resolve()))
    this.socket.end()
    await closed
  }
}

/** Testkit's Cypher value helpers. */
export const cypher = {
  int: (value: number | bigint) => ({ name: 'CypherInt', data: { value } }),
  str: (value: string) => ({ name: 'CypherString', data: { value } })
}

export const basicAuth = (user: string, password: string): Record<string, unknown> =>
  ({ name: 'AuthorizationToken', data: { scheme: 'basic', principal: user, credentials: password } })
