// hasReachableServer(url): does something answer Bolt at this URL? The
// official driver only shakes hands (no credentials). This driver's
// connections always authenticate, so it connects with auth.none(): a server
// that then refuses those credentials has answered Bolt, and counts as
// reachable. Anything else (refused, timed out, not Bolt, untrusted
// certificate) rejects with the error that says why.

import { auth } from 'neo4j-driver-core'
import type { Config } from './config.js'
import { Driver, succeededOrRefused } from './driver.js'

export async function hasReachableServer (url: string, config?: Pick<Config, 'logging'>): Promise<true> {
  const probe = new Driver(url, auth.none(), config?.logging !== undefined ? { logging: config.logging } : {})
  try {
    // Refused credentials mean a Bolt server answered: reachable.
    return await succeededOrRefused(probe.getNegotiatedProtocolVersion(), true)
  } finally {
    await probe.close()
  }
}
