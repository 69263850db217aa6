import { parseServerList, planFailover, ServerPool } from './servers.ts';

const err = (code: string) => Object.assign(new Error(code), { code });

describe('parseServerList', () => {
  test('one URL or several separated by commas, spaces ignored', () => {
    expect(parseServerList('http://127.0.0.1:6443').map(String)).toEqual(['http://127.0.0.1:6443/']);
    expect(parseServerList('http://a:1, http://b:2,').map((u) => u.host)).toEqual(['a:1', 'b:2']);
  });

  test('refuses what is not an http(s) URL, naming it', () => {
    expect(() => parseServerList('')).toThrow('no API server URL given');
    expect(() => parseServerList('http://a:1,b:2')).toThrow(/"b:2": an API server URL is http/);
    expect(() => parseServerList('http://a:1,not a url')).toThrow(/"not a url" is not an API server URL/);
  });
});

describe('planFailover', () => {
  test('a request that never reached a server is resent to the next, whatever its method', () => {
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']) {
      expect(planFailover(err(code), 'POST')).toBe('switch-and-retry');
      expect(planFailover(err(code), 'GET')).toBe('switch-and-retry');
    }
  });

  test('a broken connection: idempotent requests are resent, a POST or PATCH fails to its caller (it may have been applied)', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE']) {
      expect(planFailover(err(code), 'GET')).toBe('switch-and-retry');
      expect(planFailover(err(code), 'PUT')).toBe('switch-and-retry');
      expect(planFailover(err(code), 'DELETE')).toBe('switch-and-retry');
      expect(planFailover(err(code), 'POST')).toBe('switch');
      expect(planFailover(err(code), 'PATCH')).toBe('switch');
    }
  });

  test('an HTTP answer or an abort is no reason to switch', () => {
    expect(planFailover(Object.assign(new Error('503'), { status: 503 }), 'GET')).toBe('none');
    expect(planFailover(err('ABORT_ERR'), 'GET')).toBe('none');
    expect(planFailover(undefined, 'GET')).toBe('none');
  });
});

describe('ServerPool', () => {
  test('sticks to one server until it fails, then moves on in list order and wraps around', () => {
    const pool = new ServerPool('http://a:1,http://b:2,http://c:3');
    const [a, b, c] = pool.urls;
    expect(pool.current()).toBe(a);
    pool.failed(a);
    expect(pool.current()).toBe(b);
    // A late failure of a server that is no longer current changes nothing.
    pool.failed(a);
    expect(pool.current()).toBe(b);
    pool.failed(b);
    pool.failed(c);
    expect(pool.current()).toBe(a);
  });
});
