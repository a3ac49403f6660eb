// Testkit's line framing. Requests arrive as
//   #request begin
//   {"name": "...", "data": {...}}
//   #request end
// in arbitrary TCP chunks (a line may be split, several requests may share a
// chunk); responses leave as one write of
//   #response begin\n<json on one line>\n#response end\n
// Testkit treats 50 consecutive blank lines as a crashed backend and a stray
// "#response begin" as a protocol error, so the writer emits nothing else.

import { StringDecoder } from 'node:string_decoder'
import { parseJson, stringifyJson } from './json.js'

export interface Request {
  readonly name: string
  readonly data: Record<string, unknown>
}

/** One unit parsed off the wire: a request, or why a block could not be read. */
export type Frame =
  | { readonly kind: 'request', readonly request: Request }
  | { readonly kind: 'malformed', readonly reason: string }

const BEGIN = '#request begin'
const END = '#request end'

/** Longest request block we accept (testkit's biggest requests are a few KB). */
export const MAX_REQUEST_CHARS = 16 * 1024 * 1024

/**
 * Incremental request parser: feed it chunks, get complete frames back.
 * Lines outside a request block are ignored (testkit never sends any).
 */
export class RequestReader {
  private readonly decoder = new StringDecoder('utf8')
  private pending = ''
  private block: string[] | undefined
  private blockChars = 0

  push (chunk: Buffer | string): Frame[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk)
    const frames: Frame[] = []
    let newline = this.pending.indexOf('\n')
    while (newline >= 0) {
      const line = this.pending.slice(0, newline).replace(/\r$/, '')
      this.pending = this.pending.slice(newline + 1)
      const frame = this.line(line)
      if (frame !== undefined) frames.push(frame)
      newline = this.pending.indexOf('\n')
    }
    if (this.pending.length > MAX_REQUEST_CHARS) {
      this.pending = ''
      this.block = undefined
      frames.push({ kind: 'malformed', reason: `a line longer than ${MAX_REQUEST_CHARS} characters` })
    }
    return frames
  }

  private line (line: string): Frame | undefined {
    const trimmed = line.trim()
    if (this.block === undefined) {
      if (trimmed === BEGIN) { this.block = []; this.blockChars = 0 }
      return undefined
    }
    if (trimmed === END) {
      const body = this.block.join('\n')
      this.block = undefined
      return parseRequest(body)
    }
    if (trimmed === BEGIN) {
      this.block = []
      this.blockChars = 0
      return { kind: 'malformed', reason: '"#request begin" inside an unfinished request; the earlier one was dropped' }
    }
    this.blockChars += line.length
    if (this.blockChars > MAX_REQUEST_CHARS) {
      this.block = undefined
      return { kind: 'malformed', reason: `a request longer than ${MAX_REQUEST_CHARS} characters` }
    }
    this.block.push(line)
    return undefined
  }
}

function parseRequest (body: string): Frame {
  let parsed: unknown
  try {
    parsed = parseJson(body)
  } catch (error) {
    return { kind: 'malformed', reason: `request is not JSON (${(error as Error).message})` }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'malformed', reason: 'request is not a JSON object' }
  const { name, data } = parsed as { name?: unknown, data?: unknown }
  if (typeof name !== 'string' || name === '') return { kind: 'malformed', reason: 'request has no "name" string' }
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    return { kind: 'malformed', reason: `request ${name} has a "data" that is not an object` }
  }
  return { kind: 'request', request: { name, data: (data ?? {}) as Record<string, unknown> } }
}

/** The exact bytes of one response block (JSON on a single line, no blank lines). */
export function formatResponse (name: string, data: unknown): string {
  return `#response begin\n${stringifyJson({ name, data: data ?? {} })}\n#response end\n`
}
