import { describe, expect, it } from "vitest";
import {
  asciiBytes,
  encodeSeqEvent,
  joinPayload,
  parseOpen,
  readConnect,
  readSeqAck,
  readSeqEvent,
  sourceAddress,
  splitPayload,
} from "../../bench/load/protocol.js";

const bytes = (text: string): Uint8Array => Buffer.from(text, "latin1");

describe("parseOpen", () => {
  it("reads the Engine.IO v4 open packet", () => {
    const open = parseOpen(
      '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    );
    expect(open).toEqual({
      sid: "lv_VI97HAXpY6yYWAAAC",
      upgrades: ["websocket"],
      pingInterval: 25000,
      pingTimeout: 20000,
      maxPayload: 1000000,
    });
  });

  it("refuses a packet of another type", () => {
    expect(() => parseOpen("40")).toThrow(/not an open packet/);
  });

  it("refuses an open packet without a sid", () => {
    expect(() => parseOpen('0{"pingInterval":25000}')).toThrow(/without sid/);
  });
});

describe("readSeqEvent", () => {
  it("reads the event name and the sequence number", () => {
    expect(readSeqEvent(bytes('42["b",1017,"0123456789"]'))).toEqual({ name: "b", seq: 1017 });
  });

  it("reads a negative or zero first argument", () => {
    expect(readSeqEvent(bytes('42["room",0,"x"]'))).toEqual({ name: "room", seq: 0 });
    expect(readSeqEvent(bytes('42["b",-3]'))).toEqual({ name: "b", seq: -3 });
  });

  it("honours a length shorter than the buffer", () => {
    const buffer = bytes('42["b",12,"x"]garbage');
    expect(readSeqEvent(buffer, 14)).toEqual({ name: "b", seq: 12 });
  });

  it("returns null for events with an ack id, a namespace, or no number first", () => {
    expect(readSeqEvent(bytes('421["b",1]'))).toBeNull();
    expect(readSeqEvent(bytes('42/chat,["b",1]'))).toBeNull();
    expect(readSeqEvent(bytes('42["b","one"]'))).toBeNull();
    expect(readSeqEvent(bytes('43["b",1,2]'))).toBeNull();
    expect(readSeqEvent(bytes("2"))).toBeNull();
  });
});

describe("readSeqAck", () => {
  it("reads the ack id and the first argument", () => {
    expect(readSeqAck(bytes('4317[17,"payload"]'))).toEqual({ id: 17, seq: 17 });
  });

  it("gives NaN as seq when the first argument is not an integer", () => {
    const ack = readSeqAck(bytes('431000000004["r4"]'));
    expect(ack?.id).toBe(1000000004);
    expect(ack?.seq).toBeNaN();
  });

  it("returns null without an ack id or outside the root namespace", () => {
    expect(readSeqAck(bytes("43[1]"))).toBeNull();
    expect(readSeqAck(bytes("43/chat,1[1]"))).toBeNull();
    expect(readSeqAck(bytes('42["b",1]'))).toBeNull();
  });
});

describe("encoding", () => {
  it("encodes an event with and without an ack id", () => {
    expect(encodeSeqEvent("echo", 7, "abc", 7)).toBe('427["echo",7,"abc"]');
    expect(encodeSeqEvent("b", 0, "abc")).toBe('42["b",0,"abc"]');
  });

  it("round-trips an encoded ack request through the readers' shape", () => {
    const packet = encodeSeqEvent("echo", 42, "x", 42).replace(/^42(\d+)\["echo",/, "43$1[");
    expect(readSeqAck(asciiBytes(packet))).toEqual({ id: 42, seq: 42 });
  });

  it("splits and joins polling payloads on the record separator", () => {
    expect(splitPayload('40{"sid":"a"}\x1e2\x1e431[1]')).toEqual(['40{"sid":"a"}', "2", "431[1]"]);
    expect(splitPayload("")).toEqual([]);
    expect(joinPayload(["3", '421["echo",1,"x"]'])).toBe('3\x1e421["echo",1,"x"]');
  });
});

describe("readConnect", () => {
  it("returns the sid of a CONNECT answer", () => {
    expect(readConnect('40{"sid":"wZX3oN0bSVIhsaknAAAI"}')).toBe("wZX3oN0bSVIhsaknAAAI");
  });

  it("returns null for other packets", () => {
    expect(readConnect('42["b",1]')).toBeNull();
    expect(readConnect("2")).toBeNull();
  });

  it("throws the message of a CONNECT_ERROR", () => {
    expect(() => readConnect('44{"message":"Not authorized"}')).toThrow(
      "connect error: Not authorized",
    );
    expect(() => readConnect("44oops")).toThrow("connect error: oops");
  });
});

describe("sourceAddress", () => {
  it("binds no address while one address has ports enough", () => {
    expect(sourceAddress(0, 10_000)).toBeUndefined();
    expect(sourceAddress(24_999, 25_000)).toBeUndefined();
  });

  it("spreads connections over 127.0.0.x beyond one address's share", () => {
    expect(sourceAddress(0, 60_000)).toBe("127.0.0.1");
    expect(sourceAddress(1, 60_000)).toBe("127.0.0.2");
    expect(sourceAddress(2, 60_000)).toBe("127.0.0.3");
    expect(sourceAddress(3, 60_000)).toBe("127.0.0.1");
  });

  it("stays within 127.0.0.1-254", () => {
    expect(sourceAddress(253, 100_000_000)).toBe("127.0.0.254");
    expect(sourceAddress(254, 100_000_000)).toBe("127.0.0.1");
  });
});
