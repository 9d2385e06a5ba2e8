import { describe, expect, it } from "vitest";
import { BenchClient, type ClientSink } from "../../bench/load/client.js";

/** A client whose transport is an array, fed literal wire bytes. */
class WireClient extends BenchClient {
  sent: string[] = [];
  closedAbruptly: boolean | null = null;

  send(packet: string): void {
    this.sent.push(packet);
  }

  close(abrupt: boolean): void {
    this.closedAbruptly = abrupt;
    this.closed = true;
  }

  receive(text: string): void {
    const bytes = Buffer.from(text, "latin1");
    this.dispatch(bytes, bytes.length);
  }
}

function recordingSink() {
  const events: [string, number][] = [];
  const acks: [number, number][] = [];
  const sink: ClientSink = {
    onSeqEvent: (_c, name, seq) => events.push([name, seq]),
    onAck: (_c, id, seq) => acks.push([id, seq]),
    onClose: () => undefined,
  };
  return { sink, events, acks };
}

describe("BenchClient.dispatch", () => {
  it("answers an Engine.IO ping with a pong", () => {
    const client = new WireClient(0, recordingSink().sink);
    client.receive("2");
    expect(client.sent).toEqual(["3"]);
  });

  it("reports sequence-numbered events and acks to the sink", () => {
    const { sink, events, acks } = recordingSink();
    const client = new WireClient(0, sink);
    client.receive('42["b",5,"0123"]');
    client.receive('433[3,"0123"]');
    expect(events).toEqual([["b", 5]]);
    expect(acks).toEqual([[3, 3]]);
  });

  it("ignores noop packets and events it does not read", () => {
    const { sink, events, acks } = recordingSink();
    const client = new WireClient(0, sink);
    client.receive("6");
    client.receive('42["hello",{"a":1}]');
    expect([events, acks, client.sent]).toEqual([[], [], []]);
  });

  it("closes on a Socket.IO DISCONNECT and on an Engine.IO close", () => {
    const a = new WireClient(0, recordingSink().sink);
    a.receive("41");
    expect(a.closedAbruptly).toBe(false);
    const b = new WireClient(1, recordingSink().sink);
    b.receive("1");
    expect(b.closedAbruptly).toBe(true);
  });
});

describe("BenchClient pending acks", () => {
  it("keeps ids in send order and compacts the consumed head", () => {
    const client = new WireClient(0, recordingSink().sink);
    for (let id = 0; id < 3000; id++) client.expectAck(id, id);
    client.pendingHead = 2500;
    client.expectAck(3000, 3000);
    expect(client.pending).toBe(501);
    expect(client.pendingIds[client.pendingHead]).toBe(2500);
    expect(client.pendingIds.length).toBeLessThan(3001);
  });
});
