export { startControlServer, statusOf, type ControlServer, type StatusReport } from './server.js'
export { controlRequest, readStateFile, writeStateFile, removeStateFile, stateFilePath, CONTROL_PORT_OFFSET, type StateFile } from './client.js'
