// Opens a contender by id. Each driver module is imported only in the worker
// that measures it, so one driver's code and memory never sit in the other's
// process.

import type { Contender, ContenderId, ContenderSetup } from './contender.js'
import { driverContender } from './driver-contender.js'
import { rawContender } from './raw-contender.js'

export * from './contender.js'

export async function openContender (id: ContenderId, setup: ContenderSetup): Promise<Contender> {
  switch (id) {
    case 'ours': return driverContender(id, (await import('../../lib/index.js')).default, setup, { idempotent: true }, { idempotent: true, pipelineBegin: true })
    case 'official': return driverContender(id, (await import('neo4j-driver')).default, setup)
    case 'raw': return rawContender(setup, 'auto-commit')
    case 'raw-tx': return rawContender(setup, 'managed')
  }
}
