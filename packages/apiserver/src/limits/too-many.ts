// The answer to a request over a limit, as kube-apiserver gives it: 429 with Retry-After and a
// Status (reason TooManyRequests, details.retryAfterSeconds).
import type { FastifyReply } from 'fastify';
import { ApiError } from '../errors/status.ts';

export function tooManyRequests(retryAfterSeconds: number, message = 'Too many requests, please try again later.'): ApiError {
  return new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function sendTooMany(reply: FastifyReply, e: ApiError): void {
  void reply
    .code(429)
    .header('retry-after', String(e.details?.retryAfterSeconds ?? 1))
    .header('cache-control', 'no-cache, private')
    .type('application/json')
    .send(JSON.stringify(e.toStatus()));
}
