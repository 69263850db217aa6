// The Swagger 2.0 document in the protobuf form client-go asks /openapi/v2 for
// (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): gnostic's openapi.v2
// messages, written with protobufjs's wire-format Writer. Only what skiff's document holds is
// written (swagger, info, paths, definitions and the schema keywords the model emits); a keyword
// outside that set throws rather than being dropped. Field numbers are gnostic's OpenAPIv2.proto;
// an extension's (and a default's or example's) value is YAML text, which JSON is.
import protobuf from 'protobufjs/minimal.js';
import type { OpenAPISchema } from '@skiff/api';

type Writer = protobuf.Writer;
const LEN = 2;
const VARINT = 0;
const FIXED64 = 1;

const tag = (w: Writer, field: number, wire: number) => w.uint32((field << 3) | wire);
const str = (w: Writer, field: number, v: string) => tag(w, field, LEN).string(v);
const bool = (w: Writer, field: number, v: boolean) => tag(w, field, VARINT).bool(v);
const int64 = (w: Writer, field: number, v: number) => tag(w, field, VARINT).int64(v);
const double = (w: Writer, field: number, v: number) => tag(w, field, FIXED64).double(v);
/** A length-delimited sub-message written by `body`. */
function message(w: Writer, field: number, body: (w: Writer) => void): void {
  tag(w, field, LEN);
  w.fork();
  body(w);
  w.ldelim();
}

/** Any { yaml = 2 }. */
const any = (w: Writer, field: number, value: unknown) => message(w, field, (m) => str(m, 2, JSON.stringify(value)));
/** NamedAny { name = 1; value = 2 }: a vendor extension. */
const namedAny = (w: Writer, field: number, name: string, value: unknown) =>
  message(w, field, (m) => {
    str(m, 1, name);
    any(m, 2, value);
  });
/** A map of schemas (Definitions, Properties): repeated NamedSchema { name = 1; value = 2 } at field 1. */
const namedSchemas = (w: Writer, field: number, schemas: Record<string, OpenAPISchema>) =>
  message(w, field, (m) => {
    for (const [name, s] of Object.entries(schemas)) {
      message(m, 1, (n) => {
        str(n, 1, name);
        message(n, 2, (v) => schema(v, s));
      });
    }
  });

/** Schema's fields by keyword: how each is written. */
const SCHEMA_FIELDS: Record<string, (w: Writer, v: never) => void> = {
  $ref: (w, v: string) => str(w, 1, v),
  format: (w, v: string) => str(w, 2, v),
  title: (w, v: string) => str(w, 3, v),
  description: (w, v: string) => str(w, 4, v),
  default: (w, v: unknown) => any(w, 5, v),
  multipleOf: (w, v: number) => double(w, 6, v),
  maximum: (w, v: number) => double(w, 7, v),
  exclusiveMaximum: (w, v: boolean) => bool(w, 8, v),
  minimum: (w, v: number) => double(w, 9, v),
  exclusiveMinimum: (w, v: boolean) => bool(w, 10, v),
  maxLength: (w, v: number) => int64(w, 11, v),
  minLength: (w, v: number) => int64(w, 12, v),
  pattern: (w, v: string) => str(w, 13, v),
  maxItems: (w, v: number) => int64(w, 14, v),
  minItems: (w, v: number) => int64(w, 15, v),
  uniqueItems: (w, v: boolean) => bool(w, 16, v),
  maxProperties: (w, v: number) => int64(w, 17, v),
  minProperties: (w, v: number) => int64(w, 18, v),
  required: (w, v: string[]) => v.forEach((r) => str(w, 19, r)),
  enum: (w, v: unknown[]) => v.forEach((e) => any(w, 20, e)),
  // AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2 } }
  additionalProperties: (w, v: OpenAPISchema | boolean) => message(w, 21, (m) => (typeof v === 'boolean' ? bool(m, 2, v) : message(m, 1, (s) => schema(s, v)))),
  // TypeItem { repeated string value = 1 }
  type: (w, v: string | string[]) => message(w, 22, (m) => (Array.isArray(v) ? v : [v]).forEach((t) => str(m, 1, t))),
  // ItemsItem { repeated Schema schema = 1 }
  items: (w, v: OpenAPISchema) => message(w, 23, (m) => message(m, 1, (s) => schema(s, v))),
  allOf: (w, v: OpenAPISchema[]) => v.forEach((sub) => message(w, 24, (s) => schema(s, sub))),
  properties: (w, v: Record<string, OpenAPISchema>) => namedSchemas(w, 25, v),
  discriminator: (w, v: string) => str(w, 26, v),
  readOnly: (w, v: boolean) => bool(w, 27, v),
  example: (w, v: unknown) => any(w, 30, v),
};

function schema(w: Writer, s: OpenAPISchema): void {
  for (const [k, v] of Object.entries(s)) {
    const write = SCHEMA_FIELDS[k];
    if (write) write(w, v as never);
    else if (k.startsWith('x-')) namedAny(w, 31, k, v);
    else throw new Error(`openapi v2: no protobuf field for the schema keyword ${JSON.stringify(k)}`);
  }
}

export interface SwaggerJson {
  swagger: string;
  info: { title: string; version: string };
  paths: Record<string, never>;
  definitions: Record<string, OpenAPISchema>;
}

/** Document { swagger = 1; info = 2; paths = 8; definitions = 9 }. */
export function encodeSwagger(doc: SwaggerJson): Buffer {
  const w = protobuf.Writer.create();
  str(w, 1, doc.swagger);
  message(w, 2, (m) => {
    str(m, 1, doc.info.title);
    str(m, 2, doc.info.version);
  });
  message(w, 8, () => undefined);
  namedSchemas(w, 9, doc.definitions);
  return Buffer.from(w.finish());
}
