// Turns Cypher text into tokens. Keywords are not special here: they are
// identifiers that the parser compares case-insensitively, so a backquoted
// `MATCH` stays an ordinary name. Every failure is a FixtureError SyntaxError
// with Neo4j's position suffix, never another kind of exception.

import { FixtureError } from '../errors.js'

export type TokenType =
  | 'ident' // bare identifier or keyword
  | 'qident' // `backquoted` identifier (never a keyword)
  | 'int'
  | 'float'
  | 'string'
  | 'param'
  | 'op' // punctuation and operators
  | 'eof'

export interface Token {
  readonly type: TokenType
  /** Source text of the token (for 'op', the operator itself). */
  readonly text: string
  /** Decoded value: identifier name, string contents, parameter name, bigint or number. */
  readonly value: string | bigint | number
  readonly start: number
  readonly end: number
}

// Longest first, so that '<=' wins over '<'. '-' and '>' stay separate tokens:
// relationship arrows are assembled by the parser, because `a<-1` is a comparison.
const OPERATORS = ['..', '<>', '<=', '>=', '!=', '=~', '+=', '(', ')', '[', ']', '{', '}', ',', '.', ':', ';', '|',
  '+', '-', '*', '/', '%', '^', '=', '<', '>']

const MAX_QUERY_LENGTH = 1_000_000

/** "line 1, column 5 (offset: 4)" as Neo4j words positions in its error messages. */
export function describePosition (text: string, offset: number): string {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1 }
  }
  return `line ${line}, column ${offset - lineStart + 1} (offset: ${offset})`
}

export function syntaxErrorAt (text: string, offset: number, message: string): FixtureError {
  return new FixtureError('SyntaxError', `${message} (${describePosition(text, offset)})`)
}

function isIdentStart (ch: string): boolean {
  return /[\p{L}_]/u.test(ch)
}

function isIdentPart (ch: string): boolean {
  return /[\p{L}\p{N}_]/u.test(ch)
}

function isDigit (code: number): boolean {
  return code >= 48 && code <= 57
}

export function tokenize (text: string): Token[] {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new FixtureError('SyntaxError', `Query text is longer than the cluster fixture accepts (${MAX_QUERY_LENGTH} characters)`)
  }
  const tokens: Token[] = []
  let pos = 0
  const fail = (at: number, message: string): never => { throw syntaxErrorAt(text, at, message) }

  while (pos < text.length) {
    const code = text.charCodeAt(pos)
    const ch = text[pos]
    // Whitespace and comments.
    if (/\s/.test(ch)) { pos++; continue }
    if (ch === '/' && text[pos + 1] === '/') {
      while (pos < text.length && text[pos] !== '\n') pos++
      continue
    }
    if (ch === '/' && text[pos + 1] === '*') {
      const close = text.indexOf('*/', pos + 2)
      if (close < 0) fail(pos, 'Failed to parse comment. A comment starting with `/*` must have a closing `*/`')
      pos = close + 2
      continue
    }
    const start = pos
    if (isDigit(code) || (ch === '.' && isDigit(text.charCodeAt(pos + 1)) && !followsValue(tokens, pos))) {
      tokens.push(readNumber(text, start, fail))
      pos = tokens[tokens.length - 1].end
      continue
    }
    if (ch === '\'' || ch === '"') {
      const { value, end } = readString(text, start, fail)
      tokens.push({ type: 'string', text: text.slice(start, end), value, start, end })
      pos = end
      continue
    }
    if (ch === '`') {
      const { name, end } = readQuotedName(text, start, fail)
      tokens.push({ type: 'qident', text: text.slice(start, end), value: name, start, end })
      pos = end
      continue
    }
    if (ch === '$') {
      pos++
      let name: string
      if (text[pos] === '`') {
        const quoted = readQuotedName(text, pos, fail)
        name = quoted.name
        pos = quoted.end
      } else {
        const nameStart = pos
        while (pos < text.length && isIdentPart(text[pos])) pos++
        name = text.slice(nameStart, pos)
        if (name === '') fail(start, 'Invalid input \'$\': expected a parameter name')
      }
      tokens.push({ type: 'param', text: text.slice(start, pos), value: name, start, end: pos })
      continue
    }
    if (isIdentStart(ch)) {
      while (pos < text.length && isIdentPart(text[pos])) pos++
      const word = text.slice(start, pos)
      tokens.push({ type: 'ident', text: word, value: word, start, end: pos })
      continue
    }
    const op = OPERATORS.find(candidate => text.startsWith(candidate, pos))
    if (op === undefined) fail(pos, `Invalid input '${ch}'`)
    tokens.push({ type: 'op', text: op!, value: op!, start, end: pos + op!.length })
    pos += op!.length
  }
  tokens.push({ type: 'eof', text: '', value: '', start: text.length, end: text.length })
  return tokens
}

/** Directly after a value (`x.5`, `list[0].5`) a '.' is an operator, not the start of a number like `.5`. */
function followsValue (tokens: Token[], pos: number): boolean {
  const token = tokens[tokens.length - 1]
  if (token === undefined || token.end !== pos) return false
  return token.type === 'ident' || token.type === 'qident' || token.type === 'param' ||
    token.type === 'int' || token.type === 'float' || token.type === 'string' ||
    (token.type === 'op' && (token.text === ')' || token.text === ']' || token.text === '}'))
}

function readNumber (text: string, start: number, fail: (at: number, message: string) => never): Token {
  let pos = start
  const prefix = text.slice(start, start + 2).toLowerCase()
  if (prefix === '0x' || prefix === '0o') {
    pos += 2
    const digitPattern = prefix === '0x' ? /[0-9a-fA-F_]/ : /[0-7_]/
    while (pos < text.length && digitPattern.test(text[pos])) pos++
    const digits = text.slice(start + 2, pos).replaceAll('_', '')
    if (digits === '' || (pos < text.length && isIdentPart(text[pos]))) fail(start, `Invalid input '${text.slice(start, pos + 1)}': not a valid number`)
    return { type: 'int', text: text.slice(start, pos), value: BigInt(prefix + digits), start, end: pos }
  }
  const digitsFrom = (from: number): number => {
    let at = from
    while (at < text.length && (isDigit(text.charCodeAt(at)) || (text[at] === '_' && isDigit(text.charCodeAt(at + 1))))) at++
    return at
  }
  pos = digitsFrom(pos)
  let isFloat = false
  if (text[pos] === '.' && isDigit(text.charCodeAt(pos + 1))) {
    isFloat = true
    pos = digitsFrom(pos + 1)
  }
  if ((text[pos] === 'e' || text[pos] === 'E') &&
    (isDigit(text.charCodeAt(pos + 1)) || ((text[pos + 1] === '-' || text[pos + 1] === '+') && isDigit(text.charCodeAt(pos + 2))))) {
    isFloat = true
    pos = digitsFrom(pos + 2)
  }
  if (pos < text.length && isIdentPart(text[pos])) fail(start, `Invalid input '${text.slice(start, pos + 1)}': not a valid number`)
  const literal = text.slice(start, pos)
  const clean = literal.replaceAll('_', '')
  if (isFloat) return { type: 'float', text: literal, value: Number(clean.startsWith('.') ? '0' + clean : clean), start, end: pos }
  // Leading zeros mean octal in old Cypher; Neo4j 5 rejects them, so do we.
  if (clean.length > 1 && clean.startsWith('0')) fail(start, `Invalid input '${literal}': octal literals need the 0o prefix`)
  return { type: 'int', text: literal, value: BigInt(clean), start, end: pos }
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', '\'': '\'', '"': '"', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }

function readString (text: string, start: number, fail: (at: number, message: string) => never): { value: string, end: number } {
  const quote = text[start]
  let pos = start + 1
  let value = ''
  while (true) {
    if (pos >= text.length) fail(start, 'Failed to parse string literal. The query must contain an even number of non-escaped quotes')
    const ch = text[pos]
    if (ch === quote) return { value, end: pos + 1 }
    if (ch !== '\\') { value += ch; pos++; continue }
    const next = text[pos + 1]
    if (next !== undefined && next in SIMPLE_ESCAPES) { value += SIMPLE_ESCAPES[next]; pos += 2; continue }
    if (next === 'u' || next === 'U') {
      const width = next === 'u' ? 4 : 8
      const hex = text.slice(pos + 2, pos + 2 + width)
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) fail(pos, `Invalid input '\\${next}${hex}': invalid unicode escape`)
      const codePoint = parseInt(hex, 16)
      if (codePoint > 0x10ffff) fail(pos, `Invalid input '\\${next}${hex}': invalid unicode code point`)
      value += String.fromCodePoint(codePoint)
      pos += 2 + width
      continue
    }
    // Unknown escapes keep the backslash, as Neo4j does.
    value += ch
    pos++
  }
}

function readQuotedName (text: string, start: number, fail: (at: number, message: string) => never): { name: string, end: number } {
  let pos = start + 1
  let name = ''
  while (true) {
    if (pos >= text.length) fail(start, 'Failed to parse escaped name. A name starting with ` must end with `')
    if (text[pos] === '`') {
      if (text[pos + 1] === '`') { name += '`'; pos += 2; continue }
      return { name, end: pos + 1 }
    }
    name += text[pos]
    pos++
  }
}
