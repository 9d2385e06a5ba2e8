// Fuzzing a live server over WebSocket (RELIABILITY §4 goal 1): random and mutated
// frames, the §1 corpus and random bytes, each followed by a probe event. Every input
// ends with the probe answered or the connection closed with a documented code, the
// server never sends a malformed packet, and afterwards it is alive, unpolluted, and
// serves a fresh client. FUZZ_LIVE_RUNS inputs (npm run fuzz runs more).
import { wsInput } from "./inputs.js";
import { WsPool } from "./live.js";
import { describeLiveFuzz } from "./live-server.js";

describeLiveFuzz("WebSocket", wsInput, (port, size) => new WsPool(port, size));
