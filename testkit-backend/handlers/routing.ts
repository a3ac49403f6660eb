// Backend:RTFetch and Backend:RTForceUpdate: GetRoutingTable reads the
// driver's cached table (driver.routingTable), ForcedRoutingTableUpdate sends
// ROUTE now (driver.refreshRoutingTable). Without a database both mean the
// home database, as testkit's RoutingV5x0 tests use them
// (update_routing_table() then get_routing_table()).

import type { RoutingTableSnapshot } from '../../lib/index.js'
import type { Context } from '../context.js'
import type { HandlerResult } from '../replies/reply.js'
import type { Fields } from './data.js'

/**
 * No table yet (nothing resolved the home database, or discovery failed):
 * empty lists, which is what testkit expects after a failed forced update
 * (test_should_fail_on_routing_table_with_no_reader).
 */
function routingTableReply (table: RoutingTableSnapshot | undefined, database: string | undefined): HandlerResult {
  return {
    name: 'RoutingTable',
    data: {
      // A table for a server's only, unnamed database (before Bolt 4.4) has no name to report.
      database: table?.database === '' ? null : (table?.database ?? database ?? null),
      ttl: table?.ttl ?? 0,
      routers: [...(table?.routers ?? [])],
      readers: [...(table?.readers ?? [])],
      writers: [...(table?.writers ?? [])]
    }
  }
}

export async function GetRoutingTable (context: Context, f: Fields): Promise<HandlerResult> {
  const driver = context.drivers.get(f.id('driverId'))
  const database = f.optionalString('database')
  return routingTableReply(driver.routingTable(database), database)
}

/** Answers Driver{id} once the new table is installed; a failed discovery is the driver's DiscoveryError (a DriverError). */
export async function ForcedRoutingTableUpdate (context: Context, f: Fields): Promise<HandlerResult> {
  const id = f.id('driverId')
  const driver = context.drivers.get(id)
  await driver.refreshRoutingTable(f.optionalString('database'), { bookmarks: f.optionalStrings('bookmarks') ?? [] })
  return { name: 'Driver', data: { id } }
}
