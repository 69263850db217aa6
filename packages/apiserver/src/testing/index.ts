// Test support for every package's integration tests: a real API server in a temporary
// directory, and the one poll-until helper. Not part of the API server proper; import from
// `@skiff/apiserver/testing` (a dev dependency).
export { startTestServer, type TestServer, type TestServerOptions, type TestServerTls } from './test-server.ts';
export { until, type UntilOptions } from './until.ts';
export { startEtcdCluster, type EtcdCluster } from './etcd-cluster.ts';
export { freePorts, NOTHING_LISTENS } from './ports.ts';
export { TEST_DATASTORE, testEtcdCluster } from './test-server.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export { metric } from './metrics.ts';
export { ChildServerExitedError, plainUrl, secureUrl, SKIFF_MAIN, startChildServer, type ChildServer, type ChildServerOptions } from './child-server.ts';
