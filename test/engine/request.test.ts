import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import {
  isRefusal,
  packRequest,
  parseQuery,
  refusalBody,
  unpackRequest,
} from "../../src/engine/request.js";

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

describe("packRequest / unpackRequest", () => {
  function fakeRequest(headers: IncomingHttpHeaders, encrypted = false): IncomingMessage {
    return {
      method: "GET",
      url: "/engine.io/?EIO=4&transport=websocket&x=%0A",
      headers,
      socket: { remoteAddress: "10.1.2.3", encrypted },
    } as unknown as IncomingMessage;
  }

  it("gives back the method, URL, address, security and headers of the request", () => {
    const headers = { host: "example.com", cookie: "a=1; b=2", "x-json": '{"a":"\\n"}' };
    const info = unpackRequest(packRequest(fakeRequest(headers), false));
    expect(info).toEqual({
      method: "GET",
      url: "/engine.io/?EIO=4&transport=websocket&x=%0A",
      headers,
      remoteAddress: "10.1.2.3",
      secure: false,
    });
    expect(unpackRequest(packRequest(fakeRequest(headers, true), false)).secure).toBe(true);
  });

  it("keeps a copy: later changes to the request's headers do not show", () => {
    const headers: IncomingHttpHeaders = { host: "example.com" };
    const packed = packRequest(fakeRequest(headers), false);
    headers.host = "changed.example";
    expect(unpackRequest(packed).headers.host).toBe("example.com");
  });
});
