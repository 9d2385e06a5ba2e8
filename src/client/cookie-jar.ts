/**
 * A minimal cookie jar for Node, where no browser keeps cookies for us: with
 * `withCredentials`, cookies the server sets (a load balancer's sticky-session cookie)
 * are sent back on later polling requests and on the WebSocket handshake, as
 * engine.io-client does on Node.
 *
 * @module
 */

interface Cookie {
  value: string;
  /** Epoch milliseconds; absent for a session cookie. */
  expires?: number;
}

/**
 * The cookies of one connection (Node, `withCredentials`), handed to its transports.
 *
 * @example
 * ```ts
 * jar.parse(response.headers.getSetCookie());
 * headers.set("cookie", jar.header());
 * ```
 */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  /** Takes the `Set-Cookie` header lines of a response. */
  parse(lines: readonly string[]): void {
    for (const line of lines) {
      const parts = line.split(";");
      const first = parts[0]!;
      const eq = first.indexOf("=");
      if (eq <= 0) continue;
      const name = first.slice(0, eq).trim();
      let value = first.slice(eq + 1).trim();
      if (value.charCodeAt(0) === 34 /* " */) value = value.slice(1, -1);
      const cookie: Cookie = { value };
      for (let i = 1; i < parts.length; i++) {
        const [key = "", attr = ""] = parts[i]!.split("=", 2);
        // Attribute names are case-insensitive (RFC 6265, section 5.2).
        const lower = key.trim().toLowerCase();
        if (lower === "expires") {
          const at = Date.parse(attr.trim());
          // An unparseable date must not turn a deletion into a kept cookie.
          cookie.expires = Number.isNaN(at) ? 0 : at;
        } else if (lower === "max-age") {
          // RFC 6265, section 5.2.2: zero or less (or nonsense) expires at once.
          const delta = parseInt(attr.trim(), 10);
          cookie.expires = delta > 0 ? Date.now() + delta * 1000 : 0;
        }
      }
      this.#cookies.set(name, cookie);
    }
  }

  /** The `Cookie` header value for a request, or `""` when the jar is empty. */
  header(): string {
    const now = Date.now();
    let out = "";
    for (const [name, cookie] of this.#cookies) {
      if (cookie.expires !== undefined && cookie.expires <= now) {
        this.#cookies.delete(name);
        continue;
      }
      out += (out ? "; " : "") + name + "=" + cookie.value;
    }
    return out;
  }
}
