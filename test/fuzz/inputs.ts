// What the fuzzers feed (RELIABILITY 3, "Property tests"): valid packets, mutated ones
// (flip, insert, delete, truncate, duplicate), the regression corpus of RELIABILITY §1
// and §3a, and random bytes, at the Socket.IO level, the Engine.IO packet level, and as
// WebSocket frames or polling bodies.
import fc from "fast-check";
import { PacketType, encode, type Packet } from "../../src/protocol/index.js";

/** Run counts: FUZZ_RUNS for the codecs, FUZZ_LIVE_RUNS for a live server (npm run fuzz). */
export const CODEC_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
export const LIVE_RUNS = Number(process.env.FUZZ_LIVE_RUNS ?? 10_000);

/** The first seed of a run: FUZZ_SEED replays one (fast-check prints a failure's seed). */
export const SEED = Number(
  process.env.FUZZ_SEED ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0,
);

const CHUNK = 20_000;

/**
 * Runs a synchronous property `runs` times, in chunks with a turn of the event loop
 * between them: a long synchronous run would starve the test runner's own messages. Chunk
 * `i` uses seed `SEED + i`; a failure reports its seed and path.
 */
export async function assertInChunks<T>(property: fc.IProperty<T>, runs: number): Promise<void> {
  for (let done = 0, i = 0; done < runs; done += CHUNK, i++) {
    fc.assert(property, { numRuns: Math.min(CHUNK, runs - done), seed: SEED + i });
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const big = (n: number) => "1".repeat(n);

/** One byte over the default maxHttpBufferSize (RELIABILITY A2-1, A4-4), built once. */
const OVERSIZE = "4" + "x".repeat(1e6);

/** Socket.IO packet texts from the corpus (socket.io-parser's and RELIABILITY A5/A6). */
export const SOCKETIO_CORPUS: readonly string[] = [
  '442["some","data"',
  '0/admin,"invalid"',
  "0[]",
  "1/admin,{}",
  '2/admin,"invalid',
  "2/admin,{}",
  '2[{"toString":"foo"}]',
  '2[true,"foo"]',
  '2[null,"bar"]',
  '2["connect"]',
  '2["disconnect","123"]',
  '2["connect_error"]',
  '2["disconnecting"]',
  '2["newListener"]',
  '2["removeListener"]',
  "999",
  "5",
  "51",
  "5a-",
  "51.23-",
  '511-["x",{"_placeholder":true,"num":0}]',
  "599999999999-",
  "5-1-",
  '50-["x",{"_placeholder":true,"num":0}]',
  '51-["x",{"_placeholder":true,"num":"splice"}]',
  '51-["x",{"_placeholder":true,"num":"__proto__"}]',
  '51-["x",{"_placeholder":true,"num":"0"}]',
  '51-["x",{"_placeholder":true,"num":-1}]',
  '51-["x",{"_placeholder":true,"num":0.5}]',
  '51-["x",{"_placeholder":true,"num":1e309}]',
  '51-["x",{"_placeholder":true,"num":7}]',
  '51-["x",{"_placeholder":"true","num":0}]',
  '2999999999999999999999["x"]',
  '31["x"]',
  '31{"a":1}',
  "3",
  "0",
  "0/__proto__,",
  "0/constructor,",
  "0/\u0000,",
  "0／admin,",
  `0/${"a".repeat(2000)},`,
  "0/admin",
  '0{"__proto__":{"polluted":1}}',
  '0{"constructor":{"prototype":{"polluted":1}}}',
  '2["echo",{"__proto__":{"polluted":1}}]',
  '2["echo",{"constructor":{"prototype":{"polluted":1}}}]',
  '2["__proto__"]',
  '2["constructor"]',
  '2["hasOwnProperty"]',
  '2["toString",1]',
  '2[""]',
  "2[1]",
  '2["error"]',
  "2[[1]]",
  "2[{}]",
  "2[]",
  '2["echo",1e400]',
  '2["echo",-0]',
  `2["echo",${big(400)}]`,
  `2["echo",${"[".repeat(5000)}${"]".repeat(5000)}]`,
  `2["echo",${'{"a":'.repeat(2000)}1${"}".repeat(2000)}]`,
  `5${big(20)}-`,
  "4",
  '4{"message":"x"}',
  "6",
];

/** Engine.IO packet texts from the corpus (RELIABILITY A4). */
export const ENGINE_CORPUS: readonly string[] = [
  "7",
  "9",
  "a",
  "",
  "0",
  '0{"sid":"x"}',
  "1",
  "2",
  "2probe",
  "3",
  "3probe",
  "5",
  "6",
  "4",
  "b",
  "bAAAA",
  "b!!!",
  "4\ud800",
];

const nsp = fc.constantFrom("/", "/admin", "/other", "/a/b");
const json = fc.jsonValue({ maxDepth: 3 });
const eventName = fc.oneof(fc.constantFrom("echo", "join", "x"), fc.string({ maxLength: 8 }));
const bytes = fc.uint8Array({ maxLength: 32 });
const arg = fc.oneof({ weight: 4, arbitrary: json }, bytes);

const packetArb: fc.Arbitrary<Packet> = fc.oneof(
  fc.record({
    type: fc.constant(PacketType.CONNECT),
    nsp,
    data: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), json), { nil: undefined }),
  }),
  fc.record({ type: fc.constant(PacketType.DISCONNECT), nsp }),
  fc.record({
    type: fc.constant(PacketType.EVENT),
    nsp,
    data: fc.tuple(eventName, fc.array(arg, { maxLength: 3 })).map(([n, a]) => [n, ...a]),
    id: fc.option(fc.nat({ max: 1e6 }), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant(PacketType.ACK),
    nsp,
    data: fc.array(arg, { maxLength: 3 }),
    id: fc.nat({ max: 1e6 }),
  }),
);

/** One valid Socket.IO packet as the Engine.IO messages that carry it. */
export const validSocketIO: fc.Arbitrary<(string | Uint8Array)[]> = packetArb.map(
  (packet) => encode(packet) as (string | Uint8Array)[],
);

/** Applies 1-3 mutations: flip, insert, delete, truncate, duplicate. */
export function mutate(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const op = fc.tuple(
    fc.constantFrom("flip", "insert", "delete", "truncate", "duplicate"),
    fc.nat(),
    fc.nat({ max: 8 }),
    fc.string({ unit: "binary", minLength: 1, maxLength: 4 }),
  );
  return fc.tuple(text, fc.array(op, { minLength: 1, maxLength: 3 })).map(([start, ops]) => {
    let s = start;
    for (const [kind, at, n, insert] of ops) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (kind === "flip" && s.length > 0) {
        s = s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << (n % 7))) + s.slice(i + 1);
      } else if (kind === "insert") s = s.slice(0, i) + insert + s.slice(i);
      else if (kind === "delete") s = s.slice(0, i) + s.slice(i + 1 + n);
      else if (kind === "truncate") s = s.slice(0, i);
      else s = s.slice(0, i + n) + s.slice(i, i + n) + s.slice(i + n);
    }
    return s;
  });
}

/** Socket.IO packet texts: valid, corpus, mutated, random. */
export const socketIOText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: validSocketIO.map((parts) => parts[0] as string) },
  { weight: 2, arbitrary: fc.constantFrom(...SOCKETIO_CORPUS) },
  {
    weight: 3,
    arbitrary: mutate(
      fc.oneof(
        validSocketIO.map((parts) => parts[0] as string),
        fc.constantFrom(...SOCKETIO_CORPUS),
      ),
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);

/** Engine.IO packet texts: messages carrying Socket.IO texts, control packets, corpus. */
export const engineText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: socketIOText.map((text) => "4" + text) },
  { weight: 2, arbitrary: fc.constantFrom(...ENGINE_CORPUS) },
  { weight: 2, arbitrary: mutate(fc.constantFrom(...ENGINE_CORPUS, "40", "41", '42["echo"]')) },
);

/** One WebSocket frame: text, raw bytes sent as text (invalid UTF-8), or binary. */
export type Frame =
  { kind: "text"; data: string } | { kind: "rawText" | "binary"; data: Uint8Array };

export const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "text" as const, data: OVERSIZE }) },
  { weight: 300, arbitrary: engineText.map((data) => ({ kind: "text" as const, data })) },
  {
    weight: 40,
    arbitrary: fc.uint8Array({ maxLength: 40 }).map((data) => ({ kind: "rawText" as const, data })),
  },
  { weight: 60, arbitrary: bytes.map((data) => ({ kind: "binary" as const, data })) },
);

/** What one WebSocket input is: 1-3 frames, or a whole valid binary packet. */
export const wsInput: fc.Arbitrary<Frame[]> = fc.oneof(
  { weight: 5, arbitrary: fc.array(frame, { minLength: 1, maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: validSocketIO.map((parts) =>
      parts.map((part): Frame =>
        typeof part === "string"
          ? { kind: "text", data: "4" + part }
          : { kind: "binary", data: part },
      ),
    ),
  },
);

/** One polling POST: a body (a payload of records, mutated, or random) and its type. */
export interface PollingInput {
  body: string | Uint8Array;
  contentType: string;
}

const record = fc.oneof(
  { weight: 8, arbitrary: engineText },
  { weight: 1, arbitrary: bytes.map((b) => "b" + Buffer.from(b).toString("base64")) },
);

export const pollingInput: fc.Arbitrary<PollingInput> = fc.record({
  body: fc.oneof(
    { weight: 1, arbitrary: fc.constant(OVERSIZE) },
    {
      weight: 120,
      arbitrary: fc.array(record, { minLength: 1, maxLength: 4 }).map((r) => r.join("\x1e")),
    },
    {
      weight: 50,
      arbitrary: mutate(
        fc.array(record, { minLength: 1, maxLength: 3 }).map((r) => r.join("\x1e")),
      ),
    },
    { weight: 20, arbitrary: fc.uint8Array({ maxLength: 60 }) },
  ),
  contentType: fc.constantFrom(
    "text/plain;charset=UTF-8",
    "text/plain;charset=UTF-8",
    "text/plain;charset=UTF-8",
    "application/octet-stream",
    "",
  ),
});
