import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { isRefusal, parseQuery, refusalBody, requestInfo } from "../../src/engine/request.js";

describe("parseQuery", () => {
  it("reads EIO, transport and sid and ignores other parameters", () => {
    expect(parseQuery("/engine.io/?EIO=4&transport=polling&t=Nx1&sid=abc_-1")).toEqual({
      EIO: "4",
      transport: "polling",
      sid: "abc_-1",
      j: undefined,
    });
  });

  it("gives undefined for parameters that are absent, and for a URL without a query", () => {
    expect(parseQuery("/engine.io/?transport=polling")).toMatchObject({ EIO: undefined });
    expect(parseQuery("/engine.io/")).toMatchObject({ EIO: undefined, transport: undefined });
  });

  it("gives an empty string for a key without a value", () => {
    expect(parseQuery("/e/?EIO&transport=")).toMatchObject({ EIO: "", transport: "" });
  });

  it("decodes percent-encoding", () => {
    expect(parseQuery("/e/?EIO=%34&transport=poll%69ng")).toMatchObject({
      EIO: "4",
      transport: "polling",
    });
  });

  it("refuses a repeated Engine.IO parameter", () => {
    const result = parseQuery("/e/?EIO=4&EIO=3&transport=polling");
    expect(isRefusal(result) && result.code).toBe("PW_ERR_ENGINE_BAD_REQUEST");
    expect(isRefusal(parseQuery("/e/?EIO=4&transport=polling&transport=websocket"))).toBe(true);
  });

  it("keeps malformed percent-encoding as it is, so it matches nothing", () => {
    expect(parseQuery("/e/?EIO=%E0%A4%A&sid=%ff")).toMatchObject({ EIO: "%E0%A4%A", sid: "%ff" });
  });

  it("does not read prototype keys as parameters", () => {
    const result = parseQuery("/e/?__proto__=1&constructor=2&EIO=4");
    expect(result).toEqual({ EIO: "4", transport: undefined, sid: undefined, j: undefined });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });
});

describe("refusalBody", () => {
  it("writes the Engine.IO code and the registry message", () => {
    expect(JSON.parse(refusalBody({ code: "PW_ERR_ENGINE_UNKNOWN_TRANSPORT" }))).toEqual({
      code: 0,
      message: "Transport unknown",
    });
  });

  it("appends the reason, or uses a replacement message", () => {
    expect(JSON.parse(refusalBody({ code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "x" }))).toEqual({
      code: 3,
      message: "Bad request: x",
    });
    expect(JSON.parse(refusalBody({ code: "PW_ERR_ENGINE_FORBIDDEN", message: "no" }))).toEqual({
      code: 4,
      message: "no",
    });
  });
});

describe("requestInfo", () => {
  function fakeRequest(headers: IncomingHttpHeaders): IncomingMessage {
    return {
      method: "GET",
      url: "/engine.io/?EIO=4&transport=websocket",
      headers,
      socket: { remoteAddress: "10.1.2.3", encrypted: false },
    } as unknown as IncomingMessage;
  }

  it("gives headers equal to the request's, the same object on every read", () => {
    const headers = { host: "example.com", cookie: "a=1; b=2", "x-list": "one, two" };
    const info = requestInfo(fakeRequest(headers), false);
    expect(info.headers).toEqual(headers);
    expect(info.headers).toBe(info.headers);
    expect(Object.keys(info).sort()).toEqual([
      "headers",
      "method",
      "remoteAddress",
      "secure",
      "url",
    ]);
    expect({ ...info }).toMatchObject({ headers, method: "GET", remoteAddress: "10.1.2.3" });
  });

  it("keeps a copy: later changes to the request's headers do not show", () => {
    const headers: IncomingHttpHeaders = { host: "example.com" };
    const info = requestInfo(fakeRequest(headers), false);
    headers.host = "changed.example";
    expect(info.headers.host).toBe("example.com");
  });

  it("keeps what the application writes into the headers it read", () => {
    const info = requestInfo(fakeRequest({ host: "example.com" }), false);
    info.headers["x-added"] = "by the app";
    expect(info.headers["x-added"]).toBe("by the app");
  });
});
