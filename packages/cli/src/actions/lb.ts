// What `skiff lb` does: listens, and sends each new connection to a live API server.
import { parseServerList } from '@skiff/client';
import { resolveServer, writeKubeconfig } from '../kubeconfig.ts';
import { startBalancer, upstreamsOf } from '../lb/balancer.ts';
import { onShutdown } from '../shutdown.ts';
import type { LbOptions } from '../commands/lb.ts';

export async function runLb(opts: LbOptions): Promise<void> {
  const urls = parseServerList(resolveServer(opts.server).url);
  const scheme = urls[0].protocol;
  const lb = await startBalancer({
    host: opts.listen.host,
    port: opts.listen.port,
    upstreams: upstreamsOf(urls),
    log: (line) => process.stderr.write(`skiff lb: ${line}\n`),
  });
  if (opts.writeKubeconfig) writeKubeconfig(opts.writeKubeconfig, `${scheme}//${lb.address}`, 'skiff', urls.map((u) => u.origin));
  process.stdout.write(`skiff lb: listening on ${scheme}//${lb.address} for ${urls.map((u) => u.host).join(', ')}\n`);
  onShutdown(() => lb.close());
}
