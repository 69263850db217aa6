import { networkInterfaces } from 'node:os';
import { advertiseAddressProblem, defaultRouteAddress } from './advertise-address.ts';

test('an address pods can route to is advertised; loopback, link-local, unspecified and names are not', () => {
  for (const ok of ['10.0.0.1', '172.17.0.1', '192.0.2.10', 'fd00::1']) expect(advertiseAddressProblem(ok)).toBeUndefined();
  for (const bad of ['127.0.0.1', '127.1.2.3', '0.0.0.0', '169.254.1.1', '::1', '::', 'fe80::1']) expect(advertiseAddressProblem(bad)).toMatch(/loopback, link-local or unspecified/);
  expect(advertiseAddressProblem('api.example')).toBe('api.example is not an IP address');
});

test('the default route\'s interface gives the address for 0.0.0.0 (kube-apiserver\'s ChooseHostInterface)', () => {
  // The loopback interface stands in for the default route's: it always exists; its address is internal, so none.
  const lo = Object.keys(networkInterfaces()).find((n) => networkInterfaces()[n]!.some((i) => i.internal))!;
  const routes = (iface: string) => `Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n${iface}\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\nbr0\t0000820A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
  expect(defaultRouteAddress(routes(lo))).toBeUndefined();
  const external = Object.entries(networkInterfaces()).find(([, a]) => a!.some((i) => i.family === 'IPv4' && !i.internal));
  if (external) expect(defaultRouteAddress(routes(external[0]))).toBe(external[1]!.find((i) => i.family === 'IPv4' && !i.internal)!.address);
  // No default route: none.
  expect(defaultRouteAddress('Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nbr0\t0000820A\t00000000\t0001\t0\t0\t0\t00FFFFFF\n')).toBeUndefined();
});
