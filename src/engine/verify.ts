/**
 * The checks every Engine.IO request goes through before it reaches a session (spec:
 * "Query parameters"; RELIABILITY A1), and the refusals they produce.
 *
 * @module
 * @internal
 */
import type { ResolvedOptions } from "./options.js";
import type { OriginVerdict } from "./origin.js";
import type { EngineQuery, Refusal } from "./request.js";

/** The transports this server knows, looked up without touching prototypes (CVE-2023-31125). */
const TRANSPORTS = new Map<string, "polling" | "websocket">([
  ["polling", "polling"],
  ["websocket", "websocket"],
]);

/** Checks the query parameters every request must carry (spec: "Query parameters"). */
/** @internal */
export function checkQuery(
  query: EngineQuery,
  opts: ResolvedOptions,
  upgrade: boolean,
): Refusal | null {
  if (query.EIO !== "4") {
    return { code: "PW_ERR_ENGINE_UNSUPPORTED_PROTOCOL_VERSION", context: { protocol: query.EIO } };
  }
  const transport = query.transport === undefined ? undefined : TRANSPORTS.get(query.transport);
  if (transport === undefined || (transport === "polling" ? !opts.polling : !opts.websocket)) {
    return { code: "PW_ERR_ENGINE_UNKNOWN_TRANSPORT", context: { transport: query.transport } };
  }
  if (query.j !== undefined) {
    return { code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "JSONP is not supported" };
  }
  if (upgrade && transport !== "websocket") {
    return {
      code: "PW_ERR_ENGINE_BAD_REQUEST",
      reason: "transport mismatch",
      context: { name: "TRANSPORT_MISMATCH" },
    };
  }
  if (!upgrade && transport !== "polling") {
    return {
      code: "PW_ERR_ENGINE_BAD_REQUEST",
      reason: "websocket needs an upgrade request",
      context: { name: "TRANSPORT_HANDSHAKE_ERROR" },
    };
  }
  return null;
}

/** @internal */
export function unknownSid(sid: string): Refusal {
  return {
    code: "PW_ERR_ENGINE_UNKNOWN_SID",
    reason:
      "closed, expired, or opened on another server (behind a load balancer, enable sticky sessions)",
    // Not the sid itself: it may be a live bearer token of another node (RELIABILITY D4).
    context: { name: "UNKNOWN_SID", sidLength: sid.length },
  };
}

/** @internal */
export function originRefusal(verdict: Extract<OriginVerdict, { ok: false }>): Refusal {
  return verdict.status === 400
    ? {
        code: "PW_ERR_ENGINE_BAD_REQUEST",
        reason: verdict.reason,
        context: { name: "INVALID_ORIGIN" },
      }
    : { code: "PW_ERR_ENGINE_FORBIDDEN", reason: verdict.reason, context: { name: "ORIGIN" } };
}
