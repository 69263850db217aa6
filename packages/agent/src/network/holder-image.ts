// The image of the container that holds a pod's network namespace (Kubernetes' pause container).
// No registry can be assumed, so the agent builds it itself: a FROM-scratch image holding one
// static executable of 129 bytes that calls pause(2) forever. The executable is a hand-assembled
// ELF (x86-64 only; other architectures fail with a clear error): there is nothing to download,
// nothing to compile, and nothing in the image but the loop. The holder is removed with SIGKILL,
// so it needs no signal handler.
import type Docker from 'dockerode';
import { pack } from 'tar-stream';

export const HOLDER_IMAGE = 'skiff/pod-holder:1';

const LOAD_ADDRESS = 0x400000;
const HEADER_SIZE = 64 + 56; // ELF header + one program header

/** x86-64: `1: mov eax, 34 (pause); syscall; jmp 1b`. */
const X86_64_CODE = Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]);

/** The static ELF executable for `arch` (Node's process.arch names). */
export function holderExecutable(arch: string = process.arch): Buffer {
  if (arch !== 'x64') throw new Error(`the pod network holder is built for x86-64 only; this host is ${arch}`);
  const code = X86_64_CODE;
  const size = HEADER_SIZE + code.length;
  const b = Buffer.alloc(size);
  // ELF header: 64-bit, little endian, version 1, System V ABI.
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // EM_X86_64
  b.writeUInt32LE(1, 20); // EV_CURRENT
  b.writeBigUInt64LE(BigInt(LOAD_ADDRESS + HEADER_SIZE), 24); // entry point: the code
  b.writeBigUInt64LE(64n, 32); // program headers right after this header
  b.writeUInt16LE(64, 52); // header size
  b.writeUInt16LE(56, 54); // program header size
  b.writeUInt16LE(1, 56); // one program header
  // Program header: load the whole file read+execute at LOAD_ADDRESS.
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(5, 68); // PF_R | PF_X
  b.writeBigUInt64LE(0n, 72); // offset
  b.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 80); // vaddr
  b.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 88); // paddr
  b.writeBigUInt64LE(BigInt(size), 96); // filesz
  b.writeBigUInt64LE(BigInt(size), 104); // memsz
  b.writeBigUInt64LE(0x1000n, 112); // align
  code.copy(b, HEADER_SIZE);
  return b;
}

/** Builds HOLDER_IMAGE in the engine unless it is there already. */
export async function ensureHolderImage(docker: Docker): Promise<void> {
  try {
    await docker.getImage(HOLDER_IMAGE).inspect();
    return;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const context = pack();
  context.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n');
  context.entry({ name: 'pause', mode: 0o755 }, holderExecutable());
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: HOLDER_IMAGE, labels: { 'dev.skiff.component': 'pod-holder' } });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const failed = err?.message ?? out.find((o) => o.error)?.error;
      if (failed) reject(new Error(`building ${HOLDER_IMAGE} failed: ${failed}`));
      else resolve();
    });
  });
}
