// The storage's calls to etcd, one channel per member (./grpc-channel.ts): the KV calls (Range,
// Txn, Put, Compact), the Watch stream (./watch-stream.ts supervises it) and Maintenance Status
// (the database size). Every KV call goes to one preferred member while it answers. etcd3's
// connection pool, which skiff used before, wraps each call in several async layers (its global
// policy, the member's circuit breaker, the metadata lookup) and picks a member at random per
// call, so two writes in three reached a follower, which forwards them to the leader. Measured
// per create (docs/performance.md, session 12): the layers cost the API server 50-70 µs and the
// spreading cost etcd's members 80-100 µs, together 15-20% of the creates etcd can take. The
// channels are gRPC calls on Node's http2 rather than grpc-js's, which cost as much again
// (./grpc-channel.ts says why).
//
// Failover: a KV call that fails transiently (./fault-handling.ts isTransient: the member is down
// or silent, or has no leader) moves the preference to the next member, and callEtcd tries the
// call again within its deadline; nothing else remembers a failure. The watch stream names its
// member itself. Requests and answers have etcd3's shapes: its .proto files, requests encoded as
// grpc-js encodes them (protobufjs's fromObject, which takes enum names and 64-bit numbers as
// strings), answers decoded by ./decode.ts.
import type { ICompactionRequest, ICompactionResponse, IPutRequest, IPutResponse, IRangeRequest, IRangeResponse, IStatusResponse, ITxnRequest, ITxnResponse, IWatchRequest, IWatchResponse } from 'etcd3';
import type protobuf from 'protobufjs';
import { isTransient, type AttemptOptions } from './fault-handling.ts';
import { etcdTypes, fastDecoder } from './decode.ts';
import { GrpcChannel, INTERNAL, statusError, type ChannelTls } from './grpc-channel.ts';

/** A Watch stream in progress: requests go out as written; answers come to its owner's handlers. */
export interface WatchCall {
  write(req: IWatchRequest): void;
  /** Ends it; no handler is called after this. */
  cancel(): void;
}

export interface WatchHandlers {
  onResponse(res: IWatchResponse): void;
  /** The stream ended without being cancelled (the member failed or ended it), with its gRPC status. */
  onEnd(err: Error): void;
}

interface Method<Res> {
  path: string;
  request: protobuf.Type;
  decode: (buf: Buffer) => Res;
}

function method<Res>(path: string, requestType: string): Method<Res> {
  return { path, request: etcdTypes().lookupType(requestType), decode: fastDecoder(path) as (buf: Buffer) => Res };
}

let methods:
  | { range: Method<IRangeResponse>; txn: Method<ITxnResponse>; put: Method<IPutResponse>; compact: Method<ICompactionResponse>; status: Method<IStatusResponse>; watch: Method<IWatchResponse> }
  | undefined;
const kvMethods = () =>
  (methods ??= {
    range: method('/etcdserverpb.KV/Range', 'etcdserverpb.RangeRequest'),
    txn: method('/etcdserverpb.KV/Txn', 'etcdserverpb.TxnRequest'),
    put: method('/etcdserverpb.KV/Put', 'etcdserverpb.PutRequest'),
    compact: method('/etcdserverpb.KV/Compact', 'etcdserverpb.CompactionRequest'),
    status: method('/etcdserverpb.Maintenance/Status', 'etcdserverpb.StatusRequest'),
    watch: method('/etcdserverpb.Watch/Watch', 'etcdserverpb.WatchRequest'),
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

  /** Member `member`'s status (its database size, among others); one attempt, no failover. */
  status(member: number, o: AttemptOptions): Promise<IStatusResponse> {
    const m = kvMethods().status;
    return this.#channels[member].call(m.path, m.request.encode(m.request.fromObject({})).finish(), o.deadline).then(m.decode);
  }

  /** How many members there are (the watch stream picks one by index). */
  get members(): number {
    return this.#channels.length;
  }

  /** Opens a Watch stream to member `member`. */
  watch(member: number, h: WatchHandlers): WatchCall {
    const m = kvMethods().watch;
    let ended = false;
    const call = this.#channels[member].stream(m.path, {
      onMessage: (msg) => {
        let res: IWatchResponse;
        try {
          res = m.decode(msg);
        } catch (e) {
          // Not a WatchResponse: the stream cannot be trusted any more.
          ended = true;
          call.cancel();
          h.onEnd(statusError(INTERNAL, `an undecodable watch answer: ${(e as Error).message}`));
          return;
        }
        if (!ended) h.onResponse(res);
      },
      onEnd: (err) => {
        if (!ended) h.onEnd(err);
      },
    });
    return {
      write: (req) => call.write(m.request.encode(m.request.fromObject(req)).finish()),
      cancel: () => call.cancel(),
    };
  }

  close(): void {
    for (const c of this.#channels) c.close();
  }

  #call<Res>(m: Method<Res>, req: object, o: AttemptOptions): Promise<Res> {
    const member = this.#preferred;
    const message = m.request.encode(m.request.fromObject(req)).finish();
    return this.#channels[member].call(m.path, message, o.deadline).then(m.decode, (err: Error) => {
      // The next attempt (callEtcd's) goes to the next member, unless another call moved on already.
      if (isTransient(err) && this.#preferred === member) this.#preferred = (member + 1) % this.#channels.length;
      throw err;
    });
  }
}
