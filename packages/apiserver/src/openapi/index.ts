export { registerOpenApiRoutes } from './routes.ts';
export type { OpenApiOptions } from './routes.ts';
export { buildOpenApi, CATALOG, zodSource } from './documents.ts';
export type { BuildOptions, JsonSchemaFor, OpenApiDocument, OpenApiDocuments } from './documents.ts';
export { toOpenApi30 } from './normalize.ts';
export { schemaName, PATCH_CONTENT_TYPES } from './paths.ts';
