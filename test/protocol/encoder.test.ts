import { describe, expect, it } from "vitest";
import { PushwireError } from "../../src/errors.js";
import { PacketType, encode } from "../../src/protocol/index.js";

describe("encode", () => {
  it("encodes a CONNECT to the main namespace as a lone type digit", () => {
    expect(encode({ type: PacketType.CONNECT, nsp: "/" })).toEqual(["0"]);
  });

  it("encodes a CONNECT to a namespace with its payload", () => {
    const packet = {
      type: PacketType.CONNECT,
      nsp: "/admin",
      data: { sid: "oSO0OpakMV_3jnilAAAA" },
    };
    expect(encode(packet)).toEqual(['0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}']);
  });

  it("encodes a CONNECT_ERROR with its message", () => {
    const packet = {
      type: PacketType.CONNECT_ERROR,
      nsp: "/",
      data: { message: "Not authorized" },
    };
    expect(encode(packet)).toEqual(['4{"message":"Not authorized"}']);
  });

  it("encodes EVENTs on the main namespace and on another", () => {
    expect(encode({ type: PacketType.EVENT, nsp: "/", data: ["foo"] })).toEqual(['2["foo"]']);
    expect(encode({ type: PacketType.EVENT, nsp: "/admin", data: ["bar"] })).toEqual([
      '2/admin,["bar"]',
    ]);
  });

  it("puts the ack id between the namespace and the payload", () => {
    expect(encode({ type: PacketType.EVENT, nsp: "/", data: ["foo"], id: 12 })).toEqual([
      '212["foo"]',
    ]);
    expect(encode({ type: PacketType.ACK, nsp: "/admin", data: ["bar"], id: 13 })).toEqual([
      '3/admin,13["bar"]',
    ]);
  });

  it("ends a namespaced DISCONNECT with a comma", () => {
    expect(encode({ type: PacketType.DISCONNECT, nsp: "/" })).toEqual(["1"]);
    expect(encode({ type: PacketType.DISCONNECT, nsp: "/admin" })).toEqual(["1/admin,"]);
  });

  it("turns an EVENT with binary into a BINARY_EVENT with placeholders and attachments", () => {
    const bytes = Uint8Array.from([1, 2, 3, 4]);
    const [text, ...attachments] = encode({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["baz", bytes],
    });
    expect(text).toBe('51-["baz",{"_placeholder":true,"num":0}]');
    expect(attachments).toEqual([bytes]);
  });

  it("numbers several attachments in document order", () => {
    const a = Uint8Array.from([1, 2]);
    const b = Uint8Array.from([3, 4]);
    const [text, ...attachments] = encode({
      type: PacketType.EVENT,
      nsp: "/admin",
      data: ["baz", a, { nested: [b] }],
    });
    expect(text).toBe(
      '52-/admin,["baz",{"_placeholder":true,"num":0},{"nested":[{"_placeholder":true,"num":1}]}]',
    );
    expect(attachments).toEqual([a, b]);
  });

  it("turns an ACK with binary into a BINARY_ACK", () => {
    const bytes = Uint8Array.from([1, 2, 3, 4]);
    const [text] = encode({ type: PacketType.ACK, nsp: "/", data: ["bar", bytes], id: 15 });
    expect(text).toBe('61-15["bar",{"_placeholder":true,"num":0}]');
  });

  it("sends ArrayBuffers and typed-array views as the bytes they cover", () => {
    const backing = Uint8Array.from([9, 1, 2, 3, 9]).buffer;
    const view = new Uint16Array(backing.slice(1, 5));
    const [, fromBuffer] = encode({ type: PacketType.EVENT, nsp: "/", data: ["a", backing] });
    const [, fromView] = encode({ type: PacketType.EVENT, nsp: "/", data: ["a", view] });
    expect(fromBuffer).toEqual(Uint8Array.from([9, 1, 2, 3, 9]));
    expect(fromView).toEqual(Uint8Array.from([1, 2, 3, 9]));
  });

  it("leaves the caller's data untouched", () => {
    const bytes = Uint8Array.from([1]);
    const data = ["ev", { file: bytes }];
    encode({ type: PacketType.EVENT, nsp: "/", data });
    expect(data).toEqual(["ev", { file: bytes }]);
  });

  it("follows toJSON as JSON.stringify does", () => {
    const date = new Date(0);
    expect(encode({ type: PacketType.EVENT, nsp: "/", data: ["t", date] })).toEqual([
      '2["t","1970-01-01T00:00:00.000Z"]',
    ]);
  });

  it("refuses circular data with PW_ERR_PROTOCOL_UNENCODABLE instead of looping", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    const attempt = () => encode({ type: PacketType.EVENT, nsp: "/", data: ["x", loop] });
    expect(attempt).toThrow(PushwireError);
    expect(attempt).toThrow(/circular/);
  });

  it("refuses a BigInt with PW_ERR_PROTOCOL_UNENCODABLE", () => {
    try {
      encode({ type: PacketType.EVENT, nsp: "/", data: ["x", 1n] });
      expect.unreachable();
    } catch (err) {
      expect((err as PushwireError).code).toBe("PW_ERR_PROTOCOL_UNENCODABLE");
    }
  });

  it("keeps an own __proto__ key as data when copying around binary", () => {
    const data = JSON.parse('["x",{"__proto__":{"polluted":1}}]') as unknown[];
    data.push(Uint8Array.from([1]));
    const [text] = encode({ type: PacketType.EVENT, nsp: "/", data });
    expect(text).toBe('51-["x",{"__proto__":{"polluted":1}},{"_placeholder":true,"num":0}]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
