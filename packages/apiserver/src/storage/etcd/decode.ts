// Decoding etcd's answers on the hot calls (KV Range and Txn, the Watch stream) into exactly the
// objects etcd3 hands out, at a fraction of the cost. etcd3 decodes every answer with
// @grpc/proto-loader's `longs: String`, which turns each 64-bit field (four per key-value, four
// per header) into a decimal string through long.js's division loop: in a LIST of 10,000 pods that
// and its garbage were about a tenth of the API server's CPU. Here messages are decoded by the
// same protobufjs types from etcd3's own .proto files, 64-bit fields are left as Longs by
// toObject, and then written as strings directly from their two 32-bit halves whenever the value
// fits a double exactly (every revision, count and version does); only the rest (member and
// cluster IDs are random 64-bit numbers) goes through long.js. The result is the same object,
// field for field (decode.test.ts compares the two on real answers).
//
// ./kv-client.ts decodes every answer with these decoders (Range, Txn, Put, Compact, the Watch
// stream's messages and Maintenance Status), into the shapes etcd3's types describe.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

/** The response types decoded here, by gRPC method path. */
const METHODS: Record<string, string> = {
  '/etcdserverpb.KV/Range': 'etcdserverpb.RangeResponse',
  '/etcdserverpb.KV/Txn': 'etcdserverpb.TxnResponse',
  '/etcdserverpb.KV/Put': 'etcdserverpb.PutResponse',
  '/etcdserverpb.KV/Compact': 'etcdserverpb.CompactionResponse',
  '/etcdserverpb.Watch/Watch': 'etcdserverpb.WatchResponse',
  '/etcdserverpb.Maintenance/Status': 'etcdserverpb.StatusResponse',
};

/** etcd3's proto-loader options, but for `longs` (left as Longs, converted below). */
const TO_OBJECT: protobuf.IConversionOptions = { enums: String, defaults: true, oneofs: true };

let decoders: Map<string, (buf: Buffer) => unknown> | undefined;

/** etcd3's rpc.proto (with the files it imports): the one description of etcd's API here, for this decoder and ./kv-client.ts. */
export function etcdRpcProto(): string {
  return join(dirname(createRequire(import.meta.url).resolve('etcd3')), '../proto/rpc.proto');
}

let root: protobuf.Root | undefined;

/** etcd's API as protobufjs types (etcd3's .proto files, loaded once): for ./kv-client.ts's requests. */
export function etcdTypes(): protobuf.Root {
  return (root ??= new protobuf.Root().loadSync(etcdRpcProto(), { keepCase: true }));
}

function load(): Map<string, (buf: Buffer) => unknown> {
  const root = etcdTypes();
  const out = new Map<string, (buf: Buffer) => unknown>();
  for (const [path, typeName] of Object.entries(METHODS)) {
    const type = root.lookupType(typeName);
    out.set(path, (buf) => stringifyLongs(type.toObject(type.decode(buf), TO_OBJECT)));
  }
  return out;
}

/** The decoder of `path`'s answers (undefined for a path not listed above). */
export function fastDecoder(path: string): ((buf: Buffer) => unknown) | undefined {
  decoders ??= load();
  return decoders.get(path);
}

interface Long {
  __isLong__: true;
  high: number;
  low: number;
  toString(): string;
}
const isLong = (v: unknown): v is Long => typeof v === 'object' && v !== null && (v as Partial<Long>).__isLong__ === true;

/** A Long as proto-loader's `longs: String` writes it. */
function longString(l: Long): string {
  // 0 <= value < 2^53: exact as a double.
  if (l.high >= 0 && l.high < 0x200000) return String(l.high * 0x1_0000_0000 + (l.low >>> 0));
  return l.toString();
}

/** Replaces every Long in a toObject() result (plain objects, arrays, Buffers) by its string, in place. */
function stringifyLongs<T>(o: T): T {
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const v: unknown = o[i];
      if (isLong(v)) o[i] = longString(v);
      else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) stringifyLongs(v);
    }
    return o;
  }
  const rec = o as Record<string, unknown>;
  for (const k in rec) {
    const v = rec[k];
    if (isLong(v)) rec[k] = longString(v);
    else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) stringifyLongs(v);
  }
  return o;
}
