// Fuzzing a live server over HTTP long-polling (RELIABILITY §4 goal 1): POST bodies that
// are payloads of valid, mutated, corpus or random records, some with the wrong content
// type, each followed by a probe event. Every input ends with 200/400/413 (refusals as
// {code, message}), then the probe answered or the session closed; the server never
// sends a malformed packet, and afterwards it is alive, unpolluted, and serves a fresh
// client. FUZZ_LIVE_RUNS inputs (npm run fuzz runs more).
import { pollingInput } from "./inputs.js";
import { PollingPool } from "./live.js";
import { describeLiveFuzz } from "./live-server.js";

describeLiveFuzz("polling", pollingInput, (port, size) => new PollingPool(port, size));
