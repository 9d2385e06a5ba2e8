/**
 * Typed event maps, shared with the server (`src/protocol/typed-events.ts`), so that
 * `Socket<ServerToClient, ClientToServer>` checks `emit`, `on` and acknowledgements at
 * compile time with the same names and meaning as socket.io-client's.
 *
 * @module
 */
export type * from "../protocol/typed-events.js";
