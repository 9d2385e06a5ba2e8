import * as wsModule from "ws";
import { describe, expect, it } from "vitest";
import { prepareMessage } from "../../src/engine/prepared.js";

const Sender = (wsModule as unknown as { Sender: { frame(d: Buffer, o: object): Buffer[] } })
  .Sender;

function reference(payload: Buffer, opcode: number): Buffer {
  return Buffer.concat(
    Sender.frame(payload, { fin: true, mask: false, opcode, readOnly: true, rsv1: false }),
  );
}

describe("PreparedMessage", () => {
  it("frames a text message as one unmasked FIN text frame carrying 4 + data", () => {
    const frame = prepareMessage("hello").frame();
    expect([...frame]).toEqual([0x81, 6, ...Buffer.from("4hello")]);
  });

  it("frames a binary message as one binary frame carrying the bytes as they are", () => {
    const frame = prepareMessage(Uint8Array.of(1, 2, 3)).frame();
    expect([...frame]).toEqual([0x82, 3, 1, 2, 3]);
  });

  it("uses the 16-bit and 64-bit length forms exactly as ws frames them", () => {
    for (const size of [125, 126, 65535, 65536, 70000]) {
      const text = "x".repeat(size);
      expect(
        prepareMessage(text)
          .frame()
          .equals(reference(Buffer.from("4" + text), 1)),
        String(size),
      ).toBe(true);
    }
  });

  it("builds each form once and returns the same bytes to every caller", () => {
    const message = prepareMessage("€ news");
    expect(message.frame()).toBe(message.frame());
    expect(message.pollingRecord()).toBe("4€ news");
    expect(message.pollingRecord()).toBe(message.pollingRecord());
  });

  it("gives binary messages a b + base64 polling record", () => {
    expect(prepareMessage(Uint8Array.of(1, 2, 3, 4)).pollingRecord()).toBe("bAQIDBA==");
  });
});
