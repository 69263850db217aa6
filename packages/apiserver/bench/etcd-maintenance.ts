// Defragmenting every member of a benchmark's etcd cluster: etcd defragments only the member a
// request reaches, so each gets a client of its own (closed after).
import { Etcd3 } from 'etcd3';

export async function defragmentMembers(hosts: readonly string[]): Promise<void> {
  await Promise.all(
    hosts.map(async (h) => {
      const member = new Etcd3({ hosts: `http://${h}` });
      try {
        await member.maintenance.defragment({});
      } finally {
        member.close();
      }
    }),
  );
}
