// Cypher values between testkit's JSON and the driver's types: exact field
// names (testkit builds them with Class(**data)), 64-bit integers, special
// floats, bytes, temporal and spatial values, graph values.

import { expect } from 'chai'
import fc from 'fast-check'
import neo4j, { Date as CypherDate, DateTime, Duration, int, isInt, LocalDateTime, LocalTime, Node, Path, PathSegment, Point, Relationship, Time } from '../../lib/index.js'
import { toCypher, toNative, toNativeMap } from '../../testkit-backend/protocol/cypher-values.js'
import { BackendProblem } from '../../testkit-backend/protocol/problems.js'
import { parseJson, stringifyJson } from '../../testkit-backend/protocol/json.js'

/** Through the wire as testkit would see it: JSON text and back. */
function viaJson (v: unknown): unknown {
  return parseJson(stringifyJson(toCypher(v)))
}

describe('testkit backend: Cypher values', () => {
  it('encodes integers losslessly (bigint, Integer) and numbers as floats, NaN and infinities as strings', () => {
    expect(toCypher(9223372036854775807n)).to.deep.equal({ name: 'CypherInt', data: { value: 9223372036854775807n } })
    expect(toCypher(int('-9223372036854775808'))).to.deep.equal({ name: 'CypherInt', data: { value: -9223372036854775808n } })
    expect(toCypher(1)).to.deep.equal({ name: 'CypherFloat', data: { value: 1 } })
    expect([Number.NaN, Infinity, -Infinity].map(v => (toCypher(v).data as { value: unknown }).value)).to.deep.equal(['NaN', '+Infinity', '-Infinity'])
    expect(stringifyJson(toCypher(2n ** 62n))).to.equal('{"name":"CypherInt","data":{"value":4611686018427387904}}')
  })

  it('decodes any 64-bit CypherInt to an exact Integer', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
      const decoded = toNative(parseJson(stringifyJson({ name: 'CypherInt', data: { value: n } })))
      expect(isInt(decoded)).to.equal(true)
      expect((decoded as ReturnType<typeof int>).toString()).to.equal(n.toString())
    }), { numRuns: 300 })
  })

  it('round-trips scalars, bytes, lists and maps', () => {
    const value = { s: 'ü✓', b: true, n: null, f: 1.25, nan: Number.NaN, l: [int(1), 'x', [false]], bytes: Int8Array.from([0, -1, 127]) }
    const back = toNative(viaJson(value)) as Record<string, unknown>
    expect(back.s).to.equal('ü✓')
    expect(back.b).to.equal(true)
    expect(back.n).to.equal(null)
    expect(back.f).to.equal(1.25)
    expect(Number.isNaN(back.nan)).to.equal(true)
    expect((back.l as unknown[]).map(v => isInt(v) ? (v as ReturnType<typeof int>).toNumber() : v)).to.deep.equal([1, 'x', [false]])
    expect([...(back.bytes as Int8Array)]).to.deep.equal([0, -1, 127])
    expect(toCypher(Int8Array.from([0, -1, 16]))).to.deep.equal({ name: 'CypherBytes', data: { value: '00 ff 10' } })
  })

  it('round-trips temporal values with testkit field names', () => {
    const values = [
      new CypherDate(int(2024), int(2), int(29)),
      new LocalTime(int(23), int(59), int(58), int(999_999_999)),
      new Time(int(1), int(2), int(3), int(4), int(-3600)),
      new LocalDateTime(int(1970), int(1), int(1), int(0), int(0), int(0), int(1)),
      new DateTime(int(2022), int(3), int(27), int(2), int(30), int(0), int(0), int(3600), null),
      new DateTime(int(2022), int(3), int(27), int(3), int(30), int(0), int(0), int(7200), 'Europe/Stockholm'),
      new Duration(int(14), int(-3), int(9_000_000_000), int(5))
    ]
    for (const v of values) expect(String(toNative(viaJson(v))), String(v)).to.equal(String(v))
    expect(toCypher(values[1]).data).to.have.all.keys('hour', 'minute', 'second', 'nanosecond', 'utc_offset_s')
    expect(toCypher(values[5]).data).to.have.all.keys('year', 'month', 'day', 'hour', 'minute', 'second', 'nanosecond', 'utc_offset_s', 'timezone_id')
    expect(toCypher(values[5]).data).to.include({ utc_offset_s: 7200, timezone_id: 'Europe/Stockholm' })
    expect(toCypher(values[6])).to.deep.equal({ name: 'CypherDuration', data: { months: 14n, days: -3n, seconds: 9_000_000_000n, nanoseconds: 5 } })
  })

  it('round-trips points in both systems and dimensions', () => {
    for (const [srid, system] of [[7203, 'cartesian'], [9157, 'cartesian'], [4326, 'wgs84'], [4979, 'wgs84']] as const) {
      const point = srid === 7203 || srid === 4326 ? new Point(int(srid), 1.5, -2) : new Point(int(srid), 1.5, -2, 3)
      const json = toCypher(point)
      expect(json.name).to.equal('CypherPoint')
      expect(json.data.system).to.equal(system)
      const back = toNative(json) as Point
      expect(back.srid.toString()).to.equal(String(srid))
      expect([back.x, back.y, back.z]).to.deep.equal([point.x, point.y, point.z])
    }
  })

  it('encodes nodes, relationships and paths with exactly the fields nutkit accepts', () => {
    const a = new Node(int(1), ['A'], { k: 'v' }, 'e1')
    const b = new Node(int(2), [], {}, 'e2')
    const r = new Relationship(int(7), int(1), int(2), 'R', { w: 1.5 }, 'r7', 'e1', 'e2')
    const node = toCypher(a)
    expect(node.name).to.equal('CypherNode')
    expect(node.data).to.have.all.keys('id', 'labels', 'props', 'elementId')
    expect(node.data.labels).to.deep.equal({ name: 'CypherList', data: { value: [{ name: 'CypherString', data: { value: 'A' } }] } })
    const rel = toCypher(r)
    expect(rel.name).to.equal('CypherRelationship')
    expect(rel.data).to.have.all.keys('id', 'startNodeId', 'endNodeId', 'type', 'props', 'elementId', 'startNodeElementId', 'endNodeElementId')
    const path = toCypher(new Path(a, b, [new PathSegment(a, r, b)]))
    expect(path.name).to.equal('CypherPath')
    expect(((path.data.nodes as { data: { value: unknown[] } }).data.value).length).to.equal(2)
    expect(((path.data.relationships as { data: { value: unknown[] } }).data.value).length).to.equal(1)
  })

  it('refuses what cannot be a parameter, as a backend problem', () => {
    expect(() => toNative({ name: 'CypherNode', data: {} })).to.throw(BackendProblem, /cannot be sent/)
    expect(() => toNative({ name: 'CypherInt', data: { value: 1.5 } })).to.throw(BackendProblem, /integer/)
    expect(() => toNative('plain')).to.throw(BackendProblem)
    expect(() => toCypher(neo4j.vector(Float32Array.from([1])))).to.throw(BackendProblem, /vector/)
    expect(toNativeMap(null)).to.equal(undefined)
  })
})
