// The storage's KV calls (Range, Txn, Put, Compact), one channel per member (./grpc-unary.ts),
// every call to one preferred member while it answers. etcd3's connection pool, which the watch
// and the maintenance calls still use, wraps each call in several async layers (its global
// policy, the member's circuit breaker, the metadata lookup) and picks a member at random per
// call, so two writes in three reached a follower, which forwards them to the leader. Measured
// per create (docs/performance.md, session 12): the layers cost the API server 50-70 µs and the
// spreading cost etcd's members 80-100 µs, together 15-20% of the creates etcd can take. The
// channels are gRPC unary calls on Node's http2 rather than grpc-js's, which cost as much again
// (./grpc-unary.ts says why).
//
// Failover: a call that fails transiently (./fault-handling.ts isTransient: the member is down
// or silent, or has no leader) moves the preference to the next member, and callEtcd tries the
// call again within its deadline; nothing else remembers a failure. Requests and answers have
// etcd3's shapes: its .proto files, requests encoded as grpc-js encodes them (protobufjs's
// fromObject, which takes enum names and 64-bit numbers as strings), answers decoded by
// ./decode.ts.
import { castGrpcError } from 'etcd3';
import type { ICompactionRequest, ICompactionResponse, IPutRequest, IPutResponse, IRangeRequest, IRangeResponse, ITxnRequest, ITxnResponse } from 'etcd3';
import type protobuf from 'protobufjs';
import { isTransient, type AttemptOptions } from './fault-handling.ts';
import { etcdTypes, fastDecoder } from './decode.ts';
import { GrpcChannel, type ChannelTls } from './grpc-unary.ts';

interface Method<Res> {
  path: string;
  request: protobuf.Type;
  decode: (buf: Buffer) => Res;
}

function method<Res>(name: string, requestType: string): Method<Res> {
  const path = `/etcdserverpb.KV/${name}`;
  return { path, request: etcdTypes().lookupType(requestType), decode: fastDecoder(path) as (buf: Buffer) => Res };
}

let methods: { range: Method<IRangeResponse>; txn: Method<ITxnResponse>; put: Method<IPutResponse>; compact: Method<ICompactionResponse> } | undefined;
const kvMethods = () =>
  (methods ??= {
    range: method('Range', 'etcdserverpb.RangeRequest'),
    txn: method('Txn', 'etcdserverpb.TxnRequest'),
    put: method('Put', 'etcdserverpb.PutRequest'),
    compact: method('Compact', 'etcdserverpb.CompactionRequest'),
  });

export class EtcdKv {
  readonly #channels: GrpcChannel[];
  #preferred = 0;

  /** `hosts` as `host:port`; `windowBytes`: the flow-control window for answers. */
  constructor(hosts: readonly string[], tls: ChannelTls | undefined, windowBytes: number) {
    this.#channels = hosts.map((h) => new GrpcChannel(h, tls, windowBytes));
  }

  /** The member calls go to now (tests). */
  get preferred(): number {
    return this.#preferred;
  }

  range(req: IRangeRequest, o: AttemptOptions): Promise<IRangeResponse> {
    return this.#call(kvMethods().range, req, o);
  }

  txn(req: ITxnRequest, o: AttemptOptions): Promise<ITxnResponse> {
    return this.#call(kvMethods().txn, req, o);
  }

  put(req: IPutRequest, o: AttemptOptions): Promise<IPutResponse> {
    return this.#call(kvMethods().put, req, o);
  }

  compact(req: ICompactionRequest, o: AttemptOptions): Promise<ICompactionResponse> {
    return this.#call(kvMethods().compact, req, o);
  }

  close(): void {
    for (const c of this.#channels) c.close();
  }

  #call<Res>(m: Method<Res>, req: object, o: AttemptOptions): Promise<Res> {
    const member = this.#preferred;
    const message = m.request.encode(m.request.fromObject(req)).finish();
    return this.#channels[member].call(m.path, message, o.deadline).then(m.decode, (err: Error) => {
      const e = castGrpcError(err);
      // The next attempt (callEtcd's) goes to the next member, unless another call moved on already.
      if (isTransient(e) && this.#preferred === member) this.#preferred = (member + 1) % this.#channels.length;
      throw e;
    });
  }
}
