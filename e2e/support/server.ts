// A real skiff API server on a free port with its own SQLite file, for one test file: the shared
// test server of @skiff/apiserver.
export { startTestServer, type TestServer } from '@skiff/apiserver/testing';
