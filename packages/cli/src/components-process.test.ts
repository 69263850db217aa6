// The components' process checks the spec it was given (it crossed a process boundary).
import { validComponentSpec } from './components-process.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';

test('a spec with either component, or both, is accepted', () => {
  expect(validComponentSpec({ server: 'https://127.0.0.1:6443', ca: PEM, scheduler: { cert: PEM, key: PEM, port: 0 } })).toBe(true);
  expect(validComponentSpec({ server: 'https://127.0.0.1:6443', controllerManager: { cert: PEM, key: PEM, clusterCIDR: '10.244.0.0/16', signingCert: PEM, signingKey: PEM } })).toBe(true);
  expect(validComponentSpec({ server: 'http://127.0.0.1:8080', scheduler: { port: 10259 }, controllerManager: {} })).toBe(true);
});

test.each([
  ['not an object', 'x'],
  ['no component', { server: 'https://127.0.0.1:6443' }],
  ['a server URL of another scheme', { server: 'file:///etc/passwd', scheduler: { port: 0 } }],
  ['a CA that is not PEM', { server: 'https://a', ca: 'secret', scheduler: { port: 0 } }],
  ['a port out of range', { server: 'https://a', scheduler: { port: 70000 } }],
  ['a port that is not an integer', { server: 'https://a', scheduler: { port: '10259' } }],
  ['a scheduler key that is not PEM', { server: 'https://a', scheduler: { port: 0, key: 'k' } }],
  ['a signing key that is not PEM', { server: 'https://a', controllerManager: { signingKey: 'k' } }],
  ['a cluster CIDR that is not one', { server: 'https://a', controllerManager: { clusterCIDR: '10.0.0.0' } }],
  ['a controller manager that is not an object', { server: 'https://a', controllerManager: 'yes' }],
])('refused: %s', (_what, spec) => {
  expect(validComponentSpec(spec)).toBe(false);
});
