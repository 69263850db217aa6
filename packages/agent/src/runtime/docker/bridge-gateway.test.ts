import { bridgeInterface, firstIPv4, reportedGateway } from './bridge-gateway.ts';

describe('the default bridge gateway', () => {
  test('the gateway the engine reports: its IPv4 one; none when it lists the subnet only', () => {
    expect(reportedGateway({ IPAM: { Config: [{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }, { Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] } })).toBe('172.17.0.1');
    expect(reportedGateway({ IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] } })).toBeUndefined();
    expect(reportedGateway({ IPAM: null })).toBeUndefined();
  });

  test('the bridge interface: from the network options, else docker0', () => {
    expect(bridgeInterface({ Options: { 'com.docker.network.bridge.name': 'br-skiff' } })).toBe('br-skiff');
    expect(bridgeInterface({ Options: null })).toBe('docker0');
    expect(bridgeInterface({})).toBe('docker0');
  });

  test("the interface's first IPv4 address, as `ip -j -4 addr show dev` prints it", () => {
    const down = '[{"ifindex":5,"ifname":"docker0","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1500,"qdisc":"noqueue","operstate":"DOWN","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"172.17.0.1","prefixlen":16,"broadcast":"172.17.255.255","scope":"global","label":"docker0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]';
    expect(firstIPv4(down)).toBe('172.17.0.1');
    expect(firstIPv4('[{"ifname":"docker0","addr_info":[{"family":"inet6","local":"fe80::1"}]}]')).toBeUndefined();
    expect(firstIPv4('[]')).toBeUndefined();
  });
});
