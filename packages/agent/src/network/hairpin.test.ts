import { portsWithoutHairpin } from './hairpin.ts';

test('the bridge ports whose hairpin mode is off, from ip -d -o link', () => {
  const out = [
    '9874: vethc328a80@if9873: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-1 state UP mode DEFAULT group default \\    link/ether 1e:19:cc:2b:f5:59 brd ff:ff:ff:ff:ff:ff link-netnsid 0 \\    veth \\    bridge_slave state forwarding priority 32 cost 2 hairpin off guard off root_block off',
    '9876: veth0aa@if9875: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br-1 state UP \\    veth \\    bridge_slave state forwarding priority 32 cost 2 hairpin on guard off',
    '',
  ].join('\n');
  expect(portsWithoutHairpin(out)).toEqual(['vethc328a80']);
  expect(portsWithoutHairpin('')).toEqual([]);
});
