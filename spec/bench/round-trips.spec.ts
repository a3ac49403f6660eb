// One caller's round trips: which requests a write carried, client and server
// time around each write, and the hook that timestamps a process's sockets.

import { expect } from 'chai'
import net from 'node:net'
import { roundTripTable, type ProfiledRun } from '../../bench/profile-report.js'
import { analyseRoundTrips, recordWire, requestNames, type WireEvent } from '../../bench/round-trips.js'

/** One Bolt message with no fields, in one chunk, then its end marker. */
const message = (signature: number): number[] => [0x00, 0x02, 0xb0, signature, 0x00, 0x00]

describe('bench: round trips of one caller', () => {
  it('names the requests a write carried, in order, whatever their chunking', () => {
    expect(requestNames(Uint8Array.from(message(0x11)))).to.equal('BEGIN')
    expect(requestNames(Uint8Array.from([...message(0x11), ...message(0x10), ...message(0x3f)]))).to.equal('BEGIN+RUN+PULL')
    // A RUN whose bytes span two chunks counts once; the COMMIT after it is named.
    const split = [0x00, 0x03, 0xb3, 0x10, 0x80, 0x00, 0x02, 0xa0, 0xa0, 0x00, 0x00, ...message(0x12)]
    expect(requestNames(Uint8Array.from(split))).to.equal('RUN+COMMIT')
    expect(requestNames(Uint8Array.from(message(0x77)))).to.equal('0x77')
    // The handshake (magic preamble and versions) is not chunked Bolt.
    expect(requestNames(Uint8Array.from([0x60, 0x60, 0xb0, 0x17, 0, 0, 8, 5]))).to.equal('?')
    expect(requestNames(new Uint8Array(0))).to.equal('?')
  })

  it('pairs each write with the answer before it (client) and after it (server), by what it carried', () => {
    // Two operations of BEGIN, RUN+PULL, COMMIT, 1 ms each; times in ms.
    const events: WireEvent[] = []
    for (const start of [0, 1]) {
      events.push(
        { kind: 'write', at: start + 0.00, returnedAt: start + 0.05, requests: 'BEGIN' },
        { kind: 'read', at: start + 0.25 },
        { kind: 'write', at: start + 0.32, returnedAt: start + 0.36, requests: 'RUN+PULL' },
        { kind: 'read', at: start + 0.60 },
        { kind: 'read', at: start + 0.62 }, // the answer in two data events: the client's time starts at the last
        { kind: 'write', at: start + 0.70, returnedAt: start + 0.75, requests: 'COMMIT' },
        { kind: 'read', at: start + 0.95 }
      )
    }
    const rt = analyseRoundTrips(events.reverse(), 2, 2)
    expect(rt.opUs).to.equal(1000)
    const hop = (requests: string): Record<string, number> => {
      const h = rt.hops.find((x) => x.requests === requests)
      if (h === undefined) throw new Error(`no ${requests}`)
      return { perOp: h.perOp, client: Math.round(h.clientUs), write: Math.round(h.writeUs), server: Math.round(h.serverUs) }
    }
    expect(hop('BEGIN')).to.deep.equal({ perOp: 1, client: 50, write: 50, server: 200 }) // only the second BEGIN had an answer before it
    expect(hop('RUN+PULL')).to.deep.equal({ perOp: 1, client: 70, write: 40, server: 240 })
    expect(hop('COMMIT')).to.deep.equal({ perOp: 1, client: 80, write: 50, server: 200 })
    expect(analyseRoundTrips([], 0, 0).hops).to.deep.equal([])
  })

  it('a write sent on before any answer is pipelined with the next: its client time runs from its predecessor\'s return, its server time is the next one\'s', () => {
    const events: WireEvent[] = [
      { kind: 'read', at: 0 },
      { kind: 'write', at: 0.10, returnedAt: 0.15, requests: 'BEGIN' },
      { kind: 'write', at: 0.25, returnedAt: 0.27, requests: 'RUN+PULL' },
      { kind: 'read', at: 0.50 }
    ]
    const [begin, run] = ['BEGIN', 'RUN+PULL'].map((r) => analyseRoundTrips(events, 1, 1).hops.find((h) => h.requests === r))
    expect(Math.round(begin?.clientUs ?? 0)).to.equal(100)
    expect(begin?.serverUs).to.be.NaN
    expect(Math.round(run?.clientUs ?? 0)).to.equal(100)
    expect(Math.round(run?.serverUs ?? 0)).to.equal(230)
  })

  it('timestamps a real socket\'s writes and data, and puts the socket methods back', async () => {
    const server = net.createServer((socket) => { socket.on('data', (data) => socket.write(data)) })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as net.AddressInfo).port
    const client = net.connect(port, '127.0.0.1')
    await new Promise((resolve) => client.once('connect', resolve))
    let events: WireEvent[] = []
    try {
      ({ events } = await recordWire(async () => {
        const echoed = new Promise((resolve) => client.once('data', resolve))
        client.write(Buffer.from(message(0x11)))
        await echoed
      }))
    } finally {
      client.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
    expect(Object.hasOwn(net.Socket.prototype, 'write')).to.equal(false)
    expect(Object.hasOwn(net.Socket.prototype, 'emit')).to.equal(false)
    // The server's echo is a socket of this process too: both ends' events are recorded.
    const writes = events.filter((e) => e.kind === 'write')
    expect(writes.map((e) => e.requests)).to.deep.equal(['BEGIN', 'BEGIN'])
    expect(events.filter((e) => e.kind === 'read')).to.have.length(2)
    for (const w of writes) expect(w.returnedAt).to.be.at.least(w.at)
  })

  it('the report shows each client\'s hops and its wall time per operation; nothing without timings', () => {
    const run = (contender: 'ours' | 'official', clientUs: number): ProfiledRun => ({
      contender,
      roundTrips: { ops: 10, opUs: 1000, hops: [{ requests: 'BEGIN+RUN+PULL', perOp: 1, clientUs, writeUs: 40, serverUs: 250 }, { requests: 'ROUTE', perOp: 0.01, clientUs: 1, writeUs: 1, serverUs: 1 }] }
    } as unknown as ProfiledRun)
    const lines = roundTripTable([run('ours', 70), run('official', 120)], 3000).join('\n')
    expect(lines).to.contain('| neo4j-cluster-driver | BEGIN+RUN+PULL | 1.00 | 70 | 40 | 250 |')
    expect(lines).to.contain('| neo4j-driver 6.3.0 | BEGIN+RUN+PULL | 1.00 | 120 | 40 | 250 |')
    expect(lines).not.to.contain('ROUTE') // rarer than one write in 20 operations
    expect(lines).to.contain('**1,000** (wall time per operation)')
    expect(roundTripTable([{ ...run('ours', 1), roundTrips: undefined }], 3000)).to.deep.equal([])
  })
})
