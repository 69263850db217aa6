// Entry point of @skiff/apiserver.
export { buildApp } from './app.ts';
export type { BuildAppOptions } from './app.ts';
export { startApiServer } from './server.ts';
export type { RunningApiServer, StartOptions } from './server.ts';
export { ApiError } from './errors/status.ts';
export type { Status } from './errors/status.ts';
export { parseDatastore } from './storage/etcd/options.ts';
export type { DatastoreFlags, EtcdStorageOptions } from './storage/etcd/options.ts';
export { walMaxBytesFromEnv, WAL_MAX_BYTES_ENV } from './storage/index.ts';
export { parseServiceRange } from './registry/service-ips.ts';
export { apiServiceIP } from './registry/service-ips.ts';
export { advertiseAddressProblem, defaultRouteAddress } from './advertise-address.ts';
export * from './auth/index.ts';
export { ENCRYPTION_KEY_FILE, rotateDatastoreKey, type RotationResult } from './storage/encryption/index.ts';
export { parsePolicy, type AuditOptions, type Policy } from './audit/index.ts';
export { AUTHORIZATION_MODES, DEFAULT_AUTHORIZATION_MODES, authorizationModeWarnings, parseAuthorizationModes, type AuthorizationMode } from './authz/modes.ts';
export type { InflightLimits } from './limits/inflight.ts';
export type { AuthFailureLimits } from './limits/auth-failures.ts';
