// A cursor over the lexer's tokens with the small vocabulary every parser
// module shares: keyword tests (case-insensitive), expectations that fail with
// Neo4j-style "Invalid input" messages, and "not supported" failures that name
// the construct the fixture does not implement.

import type { FixtureError } from '../errors.js'
import { syntaxErrorAt, tokenize, type Token } from './lexer.js'

export class TokenStream {
  private readonly tokens: Token[]
  private index = 0
  /** Current expression nesting, guarded by the expression parser. */
  depth = 0

  constructor (readonly text: string) {
    this.tokens = tokenize(text)
  }

  peek (ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]
  }

  next (): Token {
    const token = this.peek()
    if (this.index < this.tokens.length - 1) this.index++
    return token
  }

  /** End offset of the last consumed token (to slice an expression's source text). */
  get lastEnd (): number {
    return this.index === 0 ? 0 : this.tokens[this.index - 1].end
  }

  get atEnd (): boolean {
    return this.peek().type === 'eof'
  }

  isKeyword (word: string, ahead = 0): boolean {
    const token = this.peek(ahead)
    return token.type === 'ident' && token.text.toUpperCase() === word
  }

  /** Consumes the keywords if they all follow, in order. */
  acceptKeywords (...words: string[]): boolean {
    for (let i = 0; i < words.length; i++) {
      if (!this.isKeyword(words[i], i)) return false
    }
    this.index += words.length
    return true
  }

  expectKeywords (...words: string[]): void {
    for (const word of words) {
      if (!this.isKeyword(word)) throw this.unexpected(`'${word}'`)
      this.next()
    }
  }

  isOp (op: string, ahead = 0): boolean {
    const token = this.peek(ahead)
    return token.type === 'op' && token.text === op
  }

  acceptOp (op: string): boolean {
    if (!this.isOp(op)) return false
    this.next()
    return true
  }

  expectOp (op: string): Token {
    if (!this.isOp(op)) throw this.unexpected(`'${op}'`)
    return this.next()
  }

  /** A name: bare or backquoted identifier (keywords are allowed as names, as in Cypher). */
  isName (ahead = 0): boolean {
    const type = this.peek(ahead).type
    return type === 'ident' || type === 'qident'
  }

  expectName (what: string): string {
    if (!this.isName()) throw this.unexpected(what)
    return this.next().value as string
  }

  /** "Invalid input 'X': expected …" at the current token. */
  unexpected (expected: string): FixtureError {
    const token = this.peek()
    const found = token.type === 'eof' ? 'end of input' : `'${token.text}'`
    return syntaxErrorAt(this.text, token.start, `Invalid input ${found}: expected ${expected}`)
  }

  /** A construct that is valid Cypher but outside the fixture's subset. */
  unsupported (what: string, at = this.peek().start): FixtureError {
    return syntaxErrorAt(this.text, at, `Not supported by the cluster fixture: ${what}`)
  }

  errorAt (offset: number, message: string): FixtureError {
    return syntaxErrorAt(this.text, offset, message)
  }
}
