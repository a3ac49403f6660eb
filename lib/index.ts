// The package's entry point: the public surface (public-api.ts) as named
// exports and, like the official driver, as one default `neo4j` object.

import * as api from './public-api.js'

export * from './public-api.js'

const neo4j: typeof api = { ...api }

export default neo4j
