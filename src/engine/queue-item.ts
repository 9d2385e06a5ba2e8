/**
 * What a session's outgoing queue holds while no transport can take it: text packets,
 * binary packets and prepared broadcasts, with their size for the outgoing bound and
 * their record for a polling payload.
 *
 * @module
 */
import { encodeBase64 } from "./codec-base64.js";
import type { PreparedMessage } from "./prepared.js";

/** One queued packet: an encoded text packet, raw binary, or a prepared broadcast. @internal */
export type QueueItem = string | Uint8Array | PreparedMessage;

/** Approximate wire size of a queued item, for the outgoing bound. */
export function itemSize(item: QueueItem): number {
  if (typeof item === "string") return item.length;
  if (item instanceof Uint8Array) return Math.ceil(item.byteLength / 3) * 4 + 1;
  const data = item.data;
  return typeof data === "string" ? data.length + 1 : Math.ceil(data.byteLength / 3) * 4 + 1;
}

/** The polling record of a queued item. */
export function toRecord(item: QueueItem): string {
  if (typeof item === "string") return item;
  if (item instanceof Uint8Array) return "b" + encodeBase64(item);
  return item.pollingRecord();
}
