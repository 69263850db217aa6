// The storage's KV calls (Range, Txn, Put, Compact) on plain grpc-js clients, one per member,
// every call to one preferred member while it answers. etcd3's connection pool, which the watch
// and the maintenance calls still use, wraps each call in several async layers (its global
// policy, the member's circuit breaker, the metadata lookup) and picks a member at random per
// call, so two writes in three reached a follower, which forwards them to the leader. Measured
// per create (docs/performance.md, session 12): the layers cost the API server 50-70 µs and the
// spreading cost etcd's members 80-100 µs, together 15-20% of the creates etcd can take.
//
// Failover: a call that fails transiently (./fault-handling.ts isTransient: the member is down
// or silent, or has no leader) moves the preference to the next member, and callEtcd tries the
// call again within its deadline; nothing else remembers a failure. Requests and answers have
// etcd3's shapes: the same .proto files, decoded by ./decode.ts on the hot paths.
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { castGrpcError } from 'etcd3';
import type { ICompactionRequest, ICompactionResponse, IPutRequest, IPutResponse, IRangeRequest, IRangeResponse, ITxnRequest, ITxnResponse } from 'etcd3';
import { isTransient, type AttemptOptions } from './fault-handling.ts';
import { etcdRpcProto } from './decode.ts';

type Unary<Req, Res> = (req: Req, options: grpc.CallOptions, done: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall;

interface KvStub extends grpc.Client {
  Range: Unary<IRangeRequest, IRangeResponse>;
  Txn: Unary<ITxnRequest, ITxnResponse>;
  Put: Unary<IPutRequest, IPutResponse>;
  Compact: Unary<ICompactionRequest, ICompactionResponse>;
}

type KvStubConstructor = new (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => KvStub;

let kvConstructor: KvStubConstructor | undefined;

/** The KV service from etcd3's own .proto files, loaded as etcd3 loads them. */
function kvService(): KvStubConstructor {
  if (kvConstructor) return kvConstructor;
  const definition = loadSync(etcdRpcProto(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { etcdserverpb: { KV: KvStubConstructor } };
  kvConstructor = pkg.etcdserverpb.KV;
  return kvConstructor;
}

export class EtcdKv {
  readonly #stubs: KvStub[];
  #preferred = 0;

  /** `hosts` as `host:port`; `channelOptions` as etcd3's grpcOptions. */
  constructor(hosts: readonly string[], credentials: grpc.ChannelCredentials, channelOptions: grpc.ChannelOptions) {
    const KV = kvService();
    this.#stubs = hosts.map((h) => new KV(h, credentials, channelOptions));
  }

  /** The member calls go to now (tests). */
  get preferred(): number {
    return this.#preferred;
  }

  range(req: IRangeRequest, o: AttemptOptions): Promise<IRangeResponse> {
    return this.#call((s, cb) => s.Range(req, o, cb));
  }

  txn(req: ITxnRequest, o: AttemptOptions): Promise<ITxnResponse> {
    return this.#call((s, cb) => s.Txn(req, o, cb));
  }

  put(req: IPutRequest, o: AttemptOptions): Promise<IPutResponse> {
    return this.#call((s, cb) => s.Put(req, o, cb));
  }

  compact(req: ICompactionRequest, o: AttemptOptions): Promise<ICompactionResponse> {
    return this.#call((s, cb) => s.Compact(req, o, cb));
  }

  close(): void {
    for (const s of this.#stubs) s.close();
  }

  #call<T>(send: (stub: KvStub, done: (err: grpc.ServiceError | null, res: T) => void) => void): Promise<T> {
    const member = this.#preferred;
    return new Promise((resolve, reject) => {
      send(this.#stubs[member], (err, res) => {
        if (!err) return resolve(res);
        const e = castGrpcError(err);
        // The next attempt (callEtcd's) goes to the next member, unless another call moved on already.
        if (isTransient(e) && this.#preferred === member) this.#preferred = (member + 1) % this.#stubs.length;
        reject(e);
      });
    });
  }
}
