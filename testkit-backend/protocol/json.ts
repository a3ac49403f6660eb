// JSON for the testkit wire, without losing 64-bit integers: testkit sends
// and expects Cypher integers up to ±2^63, which `JSON.parse` would round to
// the nearest double. Integers outside the safe range become bigint on the
// way in, and bigint values are written as plain integer literals on the way out.

/** Marks a bigint while it travels through the standard JSON functions. */
const MARKER = '\u0000\u0001testkit-bigint:'
const MARKED_OUTPUT = /"\\u0000\\u0001testkit-bigint:(-?\d+)"/g

function isDigit (char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9'
}

/**
 * Rewrite unsafe integer literals (outside strings) as marked strings so that
 * JSON.parse keeps their digits; `parseJson`'s reviver turns them into bigint.
 * Linear in the text length; string contents are copied untouched.
 */
function markUnsafeIntegers (text: string): string {
  let out = ''
  let copiedUpTo = 0
  let i = 0
  while (i < text.length) {
    const char = text[i]
    if (char === '"') {
      // Skip the string, honouring escapes.
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
      continue
    }
    if (char === '-' || isDigit(char)) {
      const start = i
      if (char === '-') i++
      while (isDigit(text[i])) i++
      const isInteger = text[i] !== '.' && text[i] !== 'e' && text[i] !== 'E'
      while (i < text.length && /[0-9.eE+-]/.test(text[i] as string)) i++
      const literal = text.slice(start, i)
      if (isInteger && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(copiedUpTo, start) + JSON.stringify(MARKER + literal)
        copiedUpTo = i
      }
      continue
    }
    i++
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo)
}

/** JSON.parse that returns bigint for integers beyond ±(2^53 − 1). */
export function parseJson (text: string): unknown {
  return JSON.parse(markUnsafeIntegers(text), (_key, value: unknown) => {
    if (typeof value === 'string' && value.startsWith(MARKER)) return BigInt(value.slice(MARKER.length))
    return value
  })
}

/** JSON.stringify on one line that writes bigint as an integer literal. */
export function stringifyJson (value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => typeof v === 'bigint' ? MARKER + v.toString() : v)
  return text.replace(MARKED_OUTPUT, '$1')
}
