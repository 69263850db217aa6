// Moved to src/testing (exported from `@skiff/apiserver/testing`); kept so existing imports still resolve.
export { startTcpProxy, type TcpProxy } from '../../src/testing/tcp-proxy.ts';
