// The backend's wire pieces without sockets: lossless JSON, the request
// reader under arbitrary chunking, the response format, the skip list.

import { expect } from 'chai'
import fc from 'fast-check'
import { formatResponse, RequestReader, type Frame } from '../../testkit-backend/protocol/framing.js'
import { parseJson, stringifyJson } from '../../testkit-backend/protocol/json.js'
import { skipReason, SKIPPED_TESTS } from '../../testkit-backend/skipped-tests.js'

function frame (name: string, data: unknown): string {
  return `#request begin\n${JSON.stringify({ name, data })}\n#request end\n`
}

function requestsOf (frames: Frame[]): Array<{ name: string, data: unknown }> {
  return frames.map(f => {
    if (f.kind !== 'request') throw new Error(`unexpected ${f.kind}: ${f.reason}`)
    return { name: f.request.name, data: f.request.data }
  })
}

describe('testkit backend: lossless JSON', () => {
  it('keeps 64-bit integers exact both ways and leaves safe numbers as numbers', () => {
    const text = '{"a": 9223372036854775807, "b": -9223372036854775808, "c": 12, "d": 1.5e300, "e": "9223372036854775807", "f": [18446744073709551615]}'
    const parsed = parseJson(text) as Record<string, unknown>
    expect(parsed.a).to.equal(9223372036854775807n)
    expect(parsed.b).to.equal(-9223372036854775808n)
    expect(parsed.c).to.equal(12)
    expect(parsed.d).to.equal(1.5e300)
    expect(parsed.e).to.equal('9223372036854775807')
    expect(parsed.f).to.deep.equal([18446744073709551615n])
    expect(stringifyJson(parsed)).to.equal('{"a":9223372036854775807,"b":-9223372036854775808,"c":12,"d":1.5e+300,"e":"9223372036854775807","f":[18446744073709551615]}')
  })

  it('round-trips any bigint and any string (escapes included) exactly', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string({ unit: 'binary' }), (n, s) => {
      const back = parseJson(stringifyJson({ n, s, list: [n, s] })) as { n: unknown, s: unknown, list: unknown[] }
      const expected = Number.isSafeInteger(Number(n)) ? Number(n) : n
      expect(back.n).to.equal(expected)
      expect(back.s).to.equal(s)
      expect(back.list).to.deep.equal([expected, s])
    }), { numRuns: 500 })
  })
})

describe('testkit backend: request framing', () => {
  const requests = [
    { name: 'GetFeatures', data: {} },
    { name: 'StartTest', data: { testName: 'stub.a.B.test_ü✓' } },
    { name: 'SessionRun', data: { sessionId: 3, cypher: 'RETURN $x\n', params: { x: { name: 'CypherString', data: { value: '#request end' } } } } }
  ]
  const wire = requests.map(r => frame(r.name, r.data)).join('')

  it('yields the same requests however the bytes are chunked', () => {
    const bytes = Buffer.from(wire, 'utf8')
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
      const reader = new RequestReader()
      const points = [0, ...cuts.sort((a, b) => a - b), bytes.length]
      const frames: Frame[] = []
      for (let i = 1; i < points.length; i++) frames.push(...reader.push(bytes.subarray(points[i - 1], points[i])))
      expect(requestsOf(frames)).to.deep.equal(requests)
    }), { numRuns: 300 })
  })

  it('reports a block that is not a request object as malformed, then carries on', () => {
    const reader = new RequestReader()
    const frames = reader.push('#request begin\n[1, 2]\n#request end\n#request begin\n{"data": {}}\n#request end\n' + frame('GetFeatures', {}))
    expect(frames.map(f => f.kind)).to.deep.equal(['malformed', 'malformed', 'request'])
  })

  it('drops an unfinished request when a new one begins, and says so', () => {
    const reader = new RequestReader()
    const frames = reader.push('#request begin\n{"name": "A"\n' + frame('GetFeatures', {}))
    expect(frames.map(f => f.kind)).to.deep.equal(['malformed', 'request'])
  })

  it('formats a response as three lines whose middle one is the whole JSON, whatever the strings hold', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const text = formatResponse('Record', { values: [{ name: 'CypherString', data: { value: s } }] })
      const lines = text.split('\n')
      expect(lines).to.have.length(4)
      expect(lines[0]).to.equal('#response begin')
      expect(lines[2]).to.equal('#response end')
      expect(lines[3]).to.equal('')
      expect((JSON.parse(lines[1] as string) as { data: { values: Array<{ data: { value: string } }> } }).data.values[0]?.data.value).to.equal(s)
    }), { numRuns: 300 })
  })
})

describe('testkit backend: skip list', () => {
  it('gives every entry a reason that says what is missing', () => {
    for (const entry of SKIPPED_TESTS) expect(entry.reason.length, entry.pattern).to.be.greaterThan(20)
  })

  it('matches with * wildcards only, anchored at both ends', () => {
    const entries = [{ pattern: 'stub.routing.test_routing_v3.*', reason: 'r1' }, { pattern: '*.test_x', reason: 'r2' }]
    expect(skipReason('stub.routing.test_routing_v3.RoutingV3.test_a', entries)).to.equal('r1')
    expect(skipReason('stub.routing.test_routing_v3XRoutingV3', entries)).to.equal(undefined) // "." is literal
    expect(skipReason('stub.a.B.test_x', entries)).to.equal('r2')
    expect(skipReason('stub.a.B.test_x_more', entries)).to.equal(undefined)
    expect(skipReason('stub.routing.test_routing_v5x0.RoutingV5x0.test_a')).to.equal(undefined)
  })
})
