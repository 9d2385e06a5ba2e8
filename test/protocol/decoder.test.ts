import { describe, expect, it } from "vitest";
import { PushwireError, type ErrorCode } from "../../src/errors.js";
import { Decoder, PacketType, decodeText } from "../../src/protocol/index.js";

function codeOf(fn: () => unknown): ErrorCode | "no error" {
  try {
    fn();
    return "no error";
  } catch (err) {
    expect(err).toBeInstanceOf(PushwireError);
    return (err as PushwireError).code;
  }
}

describe("decodeText", () => {
  it("decodes a CONNECT to the main namespace", () => {
    expect(decodeText("0")).toEqual({
      type: PacketType.CONNECT,
      nsp: "/",
      data: undefined,
      id: undefined,
    });
  });

  it("decodes a CONNECT with auth to a namespace", () => {
    expect(decodeText('0/admin,{"token":"123"}')).toMatchObject({
      type: PacketType.CONNECT,
      nsp: "/admin",
      data: { token: "123" },
    });
  });

  it("decodes an EVENT with an ack id on a namespace", () => {
    expect(decodeText('2/admin,13["bar",1]')).toEqual({
      type: PacketType.EVENT,
      nsp: "/admin",
      data: ["bar", 1],
      id: 13,
    });
  });

  it("decodes a namespaced DISCONNECT with or without its comma", () => {
    expect(decodeText("1/admin,").nsp).toBe("/admin");
    expect(decodeText("1/admin").nsp).toBe("/admin");
  });

  it("accepts an empty ACK payload and a numeric event name", () => {
    expect(decodeText("312[]").data).toEqual([]);
    expect(decodeText("2[42,1]").data).toEqual([42, 1]);
  });

  it("reports the attachment count of a binary packet", () => {
    expect(
      decodeText('52-/admin,["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'),
    ).toMatchObject({
      type: PacketType.BINARY_EVENT,
      nsp: "/admin",
      attachments: 2,
    });
  });

  // The invalid-payload corpus of RELIABILITY A5-1.
  const invalid: Array<[string, ErrorCode]> = [
    ['442["some","data"', "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ['0/admin,"invalid"', "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["0[]", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["1/admin,{}", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ['2/admin,"invalid', "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["2/admin,{}", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ['2[{"toString":"foo"}]', "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ['2[true,"foo"]', "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ['2[null,"bar"]', "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["2[]", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["2", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["3/admin,1{}", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["4", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"],
    ["999", "PW_ERR_PROTOCOL_UNKNOWN_TYPE"],
    ["", "PW_ERR_PROTOCOL_UNKNOWN_TYPE"],
    ["7[]", "PW_ERR_PROTOCOL_UNKNOWN_TYPE"],
    ["5", "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS"],
    ["51", "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS"],
    ["5a-", "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS"],
    ["51.23-", "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS"],
    ['5-1-["a"]', "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS"],
    ['511-["a"]', "PW_ERR_PROTOCOL_TOO_MANY_ATTACHMENTS"],
    ['599999999999-["a"]', "PW_ERR_PROTOCOL_TOO_MANY_ATTACHMENTS"],
    [`5${"9".repeat(12)}-["a"]`, "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS"],
    ['2999999999999999999999["x"]', "PW_ERR_PROTOCOL_INVALID_PACKET"],
  ];
  for (const [input, code] of invalid) {
    it(`rejects ${JSON.stringify(input)} with ${code}`, () => {
      expect(codeOf(() => decodeText(input))).toBe(code);
    });
  }

  for (const name of [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
  ]) {
    it(`rejects the reserved event name ${name}`, () => {
      expect(codeOf(() => decodeText(`2["${name}"]`))).toBe("PW_ERR_PROTOCOL_INVALID_PAYLOAD");
    });
  }

  it("accepts prototype-named events as plain names", () => {
    for (const name of ["__proto__", "constructor", "hasOwnProperty", "toString", "error", ""]) {
      expect(decodeText(`2[${JSON.stringify(name)}]`).data).toEqual([name]);
    }
  });

  it("does not pollute Object.prototype from a payload", () => {
    decodeText('2["x",{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}]');
    decodeText('0{"__proto__":{"polluted":1}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("parses a 1e6-digit attachment count in linear time and rejects it", () => {
    const input = "5" + "1".repeat(1_000_000) + "-[]";
    expect(codeOf(() => decodeText(input))).toBe("PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS");
  });

  it("rejects a 1e6-digit ack id without building it a character at a time", () => {
    expect(codeOf(() => decodeText("2" + "9".repeat(1_000_000) + '["x"]'))).toBe(
      "PW_ERR_PROTOCOL_INVALID_PACKET",
    );
  });

  it("decodes deeply nested arrays", () => {
    const depth = 100_000;
    const packet = decodeText('2["deep",' + "[".repeat(depth) + "]".repeat(depth) + "]");
    expect((packet.data as unknown[])[0]).toBe("deep");
  });

  it("takes numbers as plain Numbers", () => {
    const packet = decodeText('2["n",1e400,-0,' + "9".repeat(400) + "]");
    expect(packet.data).toEqual(["n", Infinity, -0, Number("9".repeat(400))]);
  });
});

describe("Decoder", () => {
  it("decodes a text packet at once", () => {
    expect(new Decoder().add('2["foo"]')).toMatchObject({ data: ["foo"] });
  });

  it("waits for every attachment, then puts them in place", () => {
    const decoder = new Decoder();
    const a = Uint8Array.from([1, 2]);
    const b = Uint8Array.from([3, 4]);
    expect(
      decoder.add(
        '52-/admin,7["baz",{"_placeholder":true,"num":0},{"x":{"_placeholder":true,"num":1}}]',
      ),
    ).toBeUndefined();
    expect(decoder.reconstructing).toBe(true);
    expect(decoder.add(a)).toBeUndefined();
    expect(decoder.add(b)).toEqual({
      type: PacketType.BINARY_EVENT,
      nsp: "/admin",
      data: ["baz", a, { x: b }],
      id: 7,
    });
    expect(decoder.reconstructing).toBe(false);
  });

  it("decodes a BINARY_ACK whose placeholder is the whole argument list element", () => {
    const decoder = new Decoder();
    const bytes = new Uint8Array([5]).buffer;
    decoder.add('61-15[{"_placeholder":true,"num":0}]');
    expect(decoder.add(bytes)).toMatchObject({
      type: PacketType.BINARY_ACK,
      id: 15,
      data: [bytes],
    });
  });

  it("keeps non-placeholder look-alikes as data", () => {
    const packet = new Decoder().add('50-["x",{"_placeholder":"true","num":0}]');
    expect(packet?.data).toEqual(["x", { _placeholder: "true", num: 0 }]);
  });

  // RELIABILITY A5-3 (CVE-2022-2421)
  for (const num of ['"splice"', '"__proto__"', '"0"', "-1", "0.5", "1e309", "1", "null"]) {
    it(`rejects the placeholder index ${num}`, () => {
      const decoder = new Decoder();
      decoder.add(`51-["x",{"_placeholder":true,"num":${num}}]`);
      expect(codeOf(() => decoder.add(Uint8Array.from([1])))).toBe(
        "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS",
      );
    });
  }

  it("rejects a placeholder in a packet that announces no attachment", () => {
    expect(codeOf(() => new Decoder().add('50-["x",{"_placeholder":true,"num":0}]'))).toBe(
      "PW_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS",
    );
  });

  it("places an attachment under an own __proto__ key without changing any prototype", () => {
    const decoder = new Decoder();
    decoder.add('51-["x",{"__proto__":{"_placeholder":true,"num":0}}]');
    const bytes = Uint8Array.from([1]);
    const packet = decoder.add(bytes);
    const holder = (packet!.data as unknown[])[1] as object;
    expect(Object.getPrototypeOf(holder)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(holder, "__proto__")?.value).toBe(bytes);
  });

  // RELIABILITY A5-4
  it("rejects a binary message when no binary packet waits", () => {
    expect(codeOf(() => new Decoder().add(Uint8Array.from([1])))).toBe(
      "PW_ERR_PROTOCOL_UNEXPECTED_BINARY",
    );
  });

  it("rejects a text message while reconstructing", () => {
    const decoder = new Decoder();
    decoder.add('51-["x",{"_placeholder":true,"num":0}]');
    expect(codeOf(() => decoder.add('2["y"]'))).toBe("PW_ERR_PROTOCOL_UNEXPECTED_TEXT");
  });

  it("honours a lower maxAttachments", () => {
    const decoder = new Decoder({ maxAttachments: 1 });
    expect(codeOf(() => decoder.add('52-["x"]'))).toBe("PW_ERR_PROTOCOL_TOO_MANY_ATTACHMENTS");
  });

  it("forgets a half-received packet on destroy", () => {
    const decoder = new Decoder();
    decoder.add('51-["x",{"_placeholder":true,"num":0}]');
    decoder.destroy();
    expect(decoder.add('2["y"]')).toMatchObject({ data: ["y"] });
  });
});
