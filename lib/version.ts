// The driver's name and version, as servers see it: the bolt_agent product
// (always this, whatever userAgent the application sets) and the default
// user agent.

export const DRIVER_VERSION = '0.1.0'
export const DRIVER_PRODUCT = `neo4j-cluster-driver/${DRIVER_VERSION}`
