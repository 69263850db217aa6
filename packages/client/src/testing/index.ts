// Test helpers for packages built on the client: a real HTTP fake of the API server and waits.
// Not part of the client proper; import from `@skiff/client/testing`.
export { FakeApiServer, mergePatch, type FakeApiServerOptions } from './fake-apiserver.ts';
export { FakeStore, type Change } from './fake-store.ts';
export { compileLabelSelector, compileFieldSelector } from './selectors.ts';
export { sleep } from './wait.ts';
