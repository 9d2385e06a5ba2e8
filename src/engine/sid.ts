/**
 * Session ids. A sid is a bearer secret (RELIABILITY D4, CVE-2017-16031): 120 bits from
 * the CSPRNG, 20 base64url chars, drawn from a pool refilled 256 ids at a time.
 *
 * @module
 * @internal
 */
import { randomFillSync } from "node:crypto";

const ID_BYTES = 15;
const POOL_IDS = 256;
const pool = Buffer.alloc(ID_BYTES * POOL_IDS);
let offset = pool.length;

/**
 * A fresh random session id: 20 chars of `[A-Za-z0-9_-]`.
 *
 * @internal
 */
export function randomSid(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
