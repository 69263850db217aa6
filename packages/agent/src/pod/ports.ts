// Chooses host ports for container ports that have no hostPort: a free port on the node's
// address, stable across restarts of the same container (the previous attempt's port is reused).
import { createServer } from 'node:net';

export interface PortRange {
  min: number;
  max: number;
}

// Below the NodePort range (30000-32767) and the kernel's ephemeral ports (32768+).
export const DEFAULT_PORT_RANGE: PortRange = { min: 20000, max: 29999 };

export class PortAllocator {
  private readonly used = new Set<string>();
  private next: number;
  private readonly range: PortRange;
  private readonly ip: string;

  constructor(ip: string, range: PortRange = DEFAULT_PORT_RANGE) {
    this.ip = ip;
    this.range = range;
    this.next = range.min;
  }

  /** Marks a port as taken (ports of containers found at start-up, explicit hostPorts). */
  reserve(port: number, protocol = 'TCP'): void {
    this.used.add(`${port}/${protocol}`);
  }

  release(port: number, protocol = 'TCP'): void {
    this.used.delete(`${port}/${protocol}`);
  }

  /** A port that no container of this agent holds and that can be bound on the node IP now. */
  async allocate(protocol = 'TCP'): Promise<number> {
    const size = this.range.max - this.range.min + 1;
    for (let i = 0; i < size; i++) {
      const port = this.next;
      this.next = port >= this.range.max ? this.range.min : port + 1;
      if (this.used.has(`${port}/${protocol}`)) continue;
      if (protocol === 'TCP' && !(await canBind(this.ip, port))) continue;
      this.used.add(`${port}/${protocol}`);
      return port;
    }
    throw new Error(`no free host port in ${this.range.min}-${this.range.max} on ${this.ip}`);
  }
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}
