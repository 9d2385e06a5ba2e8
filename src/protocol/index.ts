/**
 * The Socket.IO v5 packet codec: pure, isomorphic, shared by the server and the client.
 *
 * @module
 */
export {
  PacketType,
  RESERVED_EVENTS,
  DEFAULT_MAX_ATTACHMENTS,
  type Packet,
  type BinaryValue,
  type Attachment,
} from "./packet.js";
export { encode, type EncodedPacket } from "./encoder.js";
export { Decoder, decodeText, isValidPayload, type DecoderOptions } from "./decoder.js";
export { hasBinary, isBinary, deconstruct, reconstruct, MAX_ENCODE_DEPTH } from "./binary.js";
