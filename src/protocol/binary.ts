/**
 * Binary attachments: finding them, swapping them for placeholders when encoding,
 * and putting them back when decoding.
 *
 * Every walk here is iterative with an explicit stack, never recursive: a payload of
 * 1e6 bytes can nest half a million levels deep (RELIABILITY A6-4; socket.io-parser
 * overflowed the stack on such input).
 *
 * @module
 */
import { PushwireError } from "../errors.js";
import type { Attachment, BinaryValue } from "./packet.js";

/**
 * How deep `hasBinary` and `deconstruct` follow the application's own data. Deeper
 * data, or data with a cycle, is refused: `JSON.stringify` would overflow the stack on
 * it anyway.
 */
export const MAX_ENCODE_DEPTH = 10_000;

const hasBlob = typeof Blob === "function";

/** Whether `value` is binary: an ArrayBuffer, a view on one (Buffer, typed arrays), or a Blob. */
export function isBinary(value: unknown): value is BinaryValue {
  if (typeof value !== "object" || value === null) return false;
  return (
    value instanceof ArrayBuffer || ArrayBuffer.isView(value) || (hasBlob && value instanceof Blob)
  );
}

/** The bytes of a binary value as a Uint8Array, without copying. */
export function toAttachment(value: BinaryValue): Attachment {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return value; // a Blob: the browser transport sends it as it is
}

function tooDeep(): PushwireError {
  return new PushwireError(
    "PW_ERR_PROTOCOL_UNENCODABLE",
    `data nests deeper than ${MAX_ENCODE_DEPTH} levels or is circular`,
  );
}

/** Unwraps `toJSON()` as `JSON.stringify` would, so that what we walk is what is sent. */
function jsonView(value: object): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === "function" ? (toJSON as () => unknown).call(value) : value;
}

/**
 * Whether `data` holds a binary value anywhere.
 *
 * @throws PushwireError `PW_ERR_PROTOCOL_UNENCODABLE` for data deeper than
 * {@link MAX_ENCODE_DEPTH} (or circular).
 */
export function hasBinary(data: unknown): boolean {
  if (typeof data !== "object" || data === null) return false;
  const stack: unknown[] = [data];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const value = stack.pop();
    const depth = depths.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (isBinary(value)) return true;
    if (depth >= MAX_ENCODE_DEPTH) throw tooDeep();
    const view = jsonView(value);
    if (typeof view !== "object" || view === null) continue;
    if (Array.isArray(view)) {
      for (let i = 0; i < view.length; i++) {
        const item: unknown = view[i];
        if (typeof item === "object" && item !== null) {
          stack.push(item);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in view) {
        if (!Object.hasOwn(view, key)) continue;
        const item = (view as Record<string, unknown>)[key];
        if (typeof item === "object" && item !== null) {
          stack.push(item);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** Sets `target[key]` as an own data property, even for `__proto__` (no prototype change). */
function setOwn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown) {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else (target as Record<string | number, unknown>)[key] = value;
}

/**
 * Copies `data`, replacing each binary value with `{ _placeholder: true, num }` and
 * collecting the binaries in order. The caller's data is never modified.
 */
export function deconstruct(data: unknown): { data: unknown; attachments: Attachment[] } {
  const attachments: Attachment[] = [];
  const root: { value?: unknown } = {};
  // Each entry: the source value, the copy's parent, and the key to write it under.
  const sources: unknown[] = [data];
  const parents: Array<Record<string, unknown> | unknown[]> = [root as Record<string, unknown>];
  const keys: Array<string | number> = ["value"];
  const depths: number[] = [0];
  while (sources.length > 0) {
    const source = sources.pop();
    const parent = parents.pop()!;
    const key = keys.pop()!;
    const depth = depths.pop()!;
    if (typeof source !== "object" || source === null) {
      setOwn(parent, key, source);
      continue;
    }
    if (isBinary(source)) {
      setOwn(parent, key, { _placeholder: true, num: attachments.length });
      attachments.push(toAttachment(source));
      continue;
    }
    if (depth >= MAX_ENCODE_DEPTH) throw tooDeep();
    const view = jsonView(source);
    if (typeof view !== "object" || view === null) {
      setOwn(parent, key, view);
      continue;
    }
    if (Array.isArray(view)) {
      const copy: unknown[] = new Array<unknown>(view.length);
      setOwn(parent, key, copy);
      // Pushed in reverse so that attachments are numbered in document order.
      for (let i = view.length - 1; i >= 0; i--) {
        sources.push(view[i]);
        parents.push(copy);
        keys.push(i);
        depths.push(depth + 1);
      }
    } else {
      const copy: Record<string, unknown> = {};
      setOwn(parent, key, copy);
      const own = Object.keys(view);
      for (let i = own.length - 1; i >= 0; i--) {
        const k = own[i]!;
        sources.push((view as Record<string, unknown>)[k]);
        parents.push(copy);
        keys.push(k);
        depths.push(depth + 1);
      }
    }
  }
  return { data: root.value, attachments };
}

function illegal(reason: string): PushwireError {
  return new PushwireError("PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS", `illegal attachments: ${reason}`);
}

/**
 * Puts the received attachments back in place of their placeholders, in place.
 * A placeholder must be `{ _placeholder: true, num }` with `num` an integer in
 * `[0, attachments.length)` (CVE-2022-2421: `num: "splice"` once put a function into
 * the decoded data).
 */
export function reconstruct(data: unknown, attachments: readonly unknown[]): unknown {
  const isPlaceholder = (v: unknown): v is { _placeholder: true; num: unknown } =>
    typeof v === "object" && v !== null && (v as { _placeholder?: unknown })._placeholder === true;
  const resolve = (v: { num: unknown }): unknown => {
    const num = v.num;
    if (typeof num !== "number" || !Number.isInteger(num) || num < 0 || num >= attachments.length) {
      throw illegal(`placeholder index ${JSON.stringify(num) ?? "undefined"}`);
    }
    return attachments[num];
  };
  let result = data;
  if (isPlaceholder(data)) result = resolve(data);
  else if (typeof data === "object" && data !== null) {
    const stack: Array<Record<string, unknown> | unknown[]> = [data as Record<string, unknown>];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          const item: unknown = node[i];
          if (typeof item !== "object" || item === null) continue;
          if (isPlaceholder(item)) node[i] = resolve(item);
          else stack.push(item as Record<string, unknown>);
        }
      } else {
        for (const key of Object.keys(node)) {
          const item = node[key];
          if (typeof item !== "object" || item === null) continue;
          if (isPlaceholder(item)) setOwn(node, key, resolve(item));
          else stack.push(item as Record<string, unknown>);
        }
      }
    }
  }
  return result;
}
