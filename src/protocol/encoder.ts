/**
 * Socket.IO v5 packet encoder (spec: socket.io-protocol, "Packet encoding"):
 * `<type>[<attachments>-][<nsp>,][<ack id>][<JSON payload>]`, then the attachments.
 *
 * @module
 */
import { PushwireError } from "../errors.js";
import { deconstruct, hasBinary } from "./binary.js";
import { PacketType, type Attachment, type Packet } from "./packet.js";

/**
 * An encoded packet: the text part, then one binary attachment per placeholder.
 * Each element travels as one Engine.IO message.
 */
export type EncodedPacket = [string, ...Attachment[]];

function stringify(data: unknown): string {
  try {
    const json = JSON.stringify(data);
    // JSON.stringify gives undefined for a bare function or symbol.
    if (json === undefined) throw new TypeError(`cannot encode a ${typeof data}`);
    return json;
  } catch (err) {
    if (err instanceof PushwireError) throw err;
    throw new PushwireError(
      "PW_ERR_PROTOCOL_UNENCODABLE",
      `cannot encode payload: ${(err as Error).message}`,
    );
  }
}

function header(type: number, nsp: string, id: number | undefined, attachments: number): string {
  let str = String(type);
  if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) str += attachments + "-";
  if (nsp !== "/" && nsp !== "") str += nsp + ",";
  if (id !== undefined) str += id;
  return str;
}

/**
 * Encodes a packet. An EVENT or ACK whose data holds binary values becomes a
 * BINARY_EVENT or BINARY_ACK, with each binary value replaced by a placeholder and
 * appended as an attachment. The packet itself is not modified.
 *
 * @throws PushwireError `PW_ERR_PROTOCOL_UNENCODABLE` when the data cannot be encoded
 * (circular, too deep, BigInt).
 *
 * @example
 * ```ts
 * encode({ type: PacketType.EVENT, nsp: "/admin", data: ["hello", 1], id: 7 });
 * // => ['2/admin,7["hello",1]']
 * ```
 */
export function encode(packet: Packet): EncodedPacket {
  let type: number = packet.type;
  let data = packet.data;
  let attachments: Attachment[] | undefined;
  const maybeBinary =
    type === PacketType.EVENT ||
    type === PacketType.ACK ||
    type === PacketType.BINARY_EVENT ||
    type === PacketType.BINARY_ACK;
  if (maybeBinary && hasBinary(data)) {
    const parts = deconstruct(data);
    data = parts.data;
    attachments = parts.attachments;
    if (type === PacketType.EVENT) type = PacketType.BINARY_EVENT;
    else if (type === PacketType.ACK) type = PacketType.BINARY_ACK;
  } else if (type === PacketType.BINARY_EVENT) type = PacketType.EVENT;
  else if (type === PacketType.BINARY_ACK) type = PacketType.ACK;

  let str = header(type, packet.nsp, packet.id, attachments?.length ?? 0);
  if (data !== undefined) str += stringify(data);
  return attachments === undefined ? [str] : [str, ...attachments];
}
