// The fixture's Bolt layer: what the cluster layer and tests import.
export { BoltServer, type BoltServerOptions, type BoltServerStats } from './server.js'
export { type HostileMode, HOSTILE_MODES } from './hostile.js'
export { type BoltVersionName, SUPPORTED_VERSIONS, versionName } from './versions.js'
export type * from './backend.js'
