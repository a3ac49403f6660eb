// The seed router: the URL's address, passed through the user's `resolver`
// (if any), then DNS — every address it resolves to is a candidate, so a
// multi-A seed whose first IP is down still works (P5 in USER-NEEDS.md).

import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { ConnectionTarget } from '../connection/route-types.js'
import { normalizeAddress, splitHostPort } from '../url.js'

export type Lookup = (host: string) => Promise<string[]>

const defaultLookup: Lookup = async (host) => (await dnsLookup(host, { all: true })).map(entry => entry.address)

export interface SeedResolution {
  readonly targets: ConnectionTarget[]
  /** Seeds that could not be resolved, with the error (reported in DiscoveryError). */
  readonly failures: Array<{ address: string, error: Error }>
}

export async function resolveSeed (
  seed: string,
  resolver: ((address: string) => string[] | Promise<string[]>) | undefined,
  lookup: Lookup = defaultLookup
): Promise<SeedResolution> {
  const failures: Array<{ address: string, error: Error }> = []
  let addresses: string[] = [seed]
  if (resolver !== undefined) {
    try {
      const resolved = await resolver(seed)
      if (!Array.isArray(resolved)) throw new TypeError('the resolver must return an array of "host:port" strings')
      addresses = resolved.map(a => normalizeAddress(String(a)))
    } catch (error) {
      failures.push({ address: seed, error: error instanceof Error ? error : new Error(String(error)) })
      return { targets: [], failures }
    }
  }
  const targets: ConnectionTarget[] = []
  const seen = new Set<string>()
  const add = (target: ConnectionTarget): void => {
    const key = `${target.hostPort}|${target.resolvedHost ?? ''}`
    if (!seen.has(key)) { seen.add(key); targets.push(target) }
  }
  for (const address of addresses) {
    const { host } = splitHostPort(address)
    if (isIP(host) !== 0) { add({ hostPort: address }); continue }
    try {
      const ips = await lookup(host)
      // One answer: let the socket resolve it (same result, simpler key).
      if (ips.length <= 1) add({ hostPort: address })
      else for (const ip of ips) add({ hostPort: address, resolvedHost: ip })
    } catch (error) {
      failures.push({ address, error: error instanceof Error ? error : new Error(String(error)) })
    }
  }
  return { targets, failures }
}
