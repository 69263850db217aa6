export { registerDiscoveryRoutes, versionInfo, AGGREGATED_DISCOVERY_CONTENT_TYPE } from './routes.ts';
export type { DiscoveryOptions, VersionInfo } from './routes.ts';
export { buildDiscovery } from './documents.ts';
export type { APIGroup, APIResource, APIResourceList, DiscoveryDocuments } from './documents.ts';
export { subresourceInfo } from './subresources.ts';
export type { GroupVersionKind, SubresourceInfo } from './subresources.ts';
