/**
 * What the client needs to know of the runtime it runs in. Checked through globals
 * only, so that the browser bundle carries no Node code.
 *
 * @module
 */

/** How received binary data is handed to listeners. */
export type BinaryType = "arraybuffer" | "nodebuffer" | "blob";

/** Node (and runtimes that present themselves as Node: Bun, Deno). @internal */
export const isNode =
  typeof process === "object" &&
  typeof process.versions === "object" &&
  typeof process.versions.node === "string";

/** Binary data reaches listeners as `Buffer` on Node and `ArrayBuffer` in browsers, as with socket.io-client. @internal */
export const defaultBinaryType: BinaryType = isNode ? "nodebuffer" : "arraybuffer";

/** Hands received bytes to listeners in the form `binaryType` asks for. @internal */
export function toBinaryType(data: Uint8Array, binaryType: BinaryType): unknown {
  if (binaryType === "nodebuffer") {
    return Buffer.isBuffer(data)
      ? data
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  if (binaryType === "blob") return new Blob([data as Uint8Array<ArrayBuffer>]);
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole ? data.buffer : data.slice().buffer;
}
