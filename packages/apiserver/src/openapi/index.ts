export { registerOpenApiRoutes } from './routes.ts';
export type { OpenApiOptions } from './routes.ts';
export { buildOpenApi } from './documents.ts';
export type { BuildOptions, OpenApiDocument, OpenApiDocuments } from './documents.ts';
export { schemaName, PATCH_CONTENT_TYPES } from './paths.ts';
