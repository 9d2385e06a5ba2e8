// Class-based namespaces: onConnect, onDisconnect, on<Event> methods, the camelCase to
// snake_case rule and the explicit map.
import { describe, expect, it } from "vitest";
import {
  ConnectionRefusedError,
  SocketIONamespace,
  eventNameOf,
  request,
} from "../../src/index.js";
import { handlerMethods } from "../../src/app/namespace-class.js";
import { deferred, makeApp, testClient } from "./helpers.js";

describe("eventNameOf", () => {
  it("drops on and turns camelCase into snake_case", () => {
    expect(eventNameOf("onConnect")).toBe("connect");
    expect(eventNameOf("onMyEvent")).toBe("my_event");
    expect(eventNameOf("onHTTPRequest")).toBe("http_request");
    expect(eventNameOf("onGetItemV2")).toBe("get_item_v2");
    expect(eventNameOf("onItem2")).toBe("item2");
    expect(eventNameOf("onX")).toBe("x");
  });
});

class Chat extends SocketIONamespace {
  readonly log: string[] = [];

  onConnect(auth: { name?: string }) {
    if (auth.name === undefined) throw new ConnectionRefusedError("who are you?");
    this.joinRoom("everyone");
    this.emit("welcome", auth.name);
  }

  onDisconnect(reason: string) {
    this.log.push(`bye ${reason}`);
  }

  onMyEvent(data: { text: string }) {
    this.emit("my_response", data.text, { to: "everyone" });
    return "sent";
  }

  onChatMessage(text: string) {
    this.send(text);
  }

  onWhere() {
    return { namespace: request.namespace, rooms: this.rooms() };
  }

  helper() {
    return "not a handler";
  }
}

describe("SocketIONamespace", () => {
  it("handles connect, disconnect and snake_case events with its on methods", async () => {
    const socketio = makeApp();
    const chat = new Chat("/chat", { events: { onChatMessage: "chat message" } });
    socketio.onNamespace(chat);
    const refused = await testClient(socketio, { namespace: "/chat" });
    expect(refused.connectError()?.message).toBe("who are you?");
    const [a, b] = [
      await testClient(socketio, { namespace: "/chat", auth: { name: "ann" } }),
      await testClient(socketio, { namespace: "/chat", auth: { name: "bo" } }),
    ];
    expect(a.getReceived()).toEqual([{ name: "welcome", args: ["ann"], namespace: "/chat" }]);
    expect(b.getReceived()).toEqual([{ name: "welcome", args: ["bo"], namespace: "/chat" }]);
    expect(await a.emit("my_event", { text: "hi" })).toBe("sent");
    expect(b.getReceived()).toEqual([{ name: "my_response", args: ["hi"], namespace: "/chat" }]);
    await a.emit("chat message", "echo");
    expect(a.getReceived().map((r) => r.name)).toEqual(["my_response", "message"]);
    expect(await a.emit("where")).toEqual({ namespace: "/chat", rooms: [a.sid(), "everyone"] });
    expect(socketio.hasHandler("helper", "/chat")).toBe(false);
    expect(socketio.hasHandler("chat_message", "/chat")).toBe(false);
    await a.disconnect();
    expect(chat.log).toEqual(["bye client namespace disconnect"]);
    expect(chat.server).toBe(socketio.server);
  });

  it("finds handlers up the class chain and in instance fields", async () => {
    class Base extends SocketIONamespace {
      onPing() {
        return "pong";
      }
    }
    class Child extends Base {
      onPingTwice = () => "pong pong";
    }
    const socketio = makeApp();
    socketio.onNamespace(new Child("/c"));
    const client = await testClient(socketio, { namespace: "/c" });
    expect(await client.emit("ping")).toBe("pong");
    expect(await client.emit("ping_twice")).toBe("pong pong");
  });

  it("runs async methods and reports their errors like any handler", async () => {
    const socketio = makeApp();
    const failed = deferred<unknown>();
    class Slow extends SocketIONamespace {
      async onWork(n: number) {
        await new Promise((r) => setImmediate(r));
        if (n < 0) throw new Error("negative");
        return n * 2;
      }
    }
    socketio.onNamespace(new Slow("/s"));
    socketio.onError("/s", (err) => {
      failed.resolve(err);
      return "error";
    });
    const client = await testClient(socketio, { namespace: "/s" });
    expect(await client.emit("work", 2)).toBe(4);
    expect(await client.emit("work", -1)).toBe("error");
    expect(String(await failed.promise)).toBe("Error: negative");
  });

  it("refuses an events map naming no method, and two methods for one event", () => {
    class A extends SocketIONamespace {
      onMyEvent() {}
    }
    expect(() => handlerMethods(new A("/", { events: { onNothing: "x" } }))).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_HANDLER" }),
    );
    class B extends SocketIONamespace {
      onMyEvent() {}
      onOther() {}
    }
    expect(() => handlerMethods(new B("/", { events: { onOther: "my_event" } }))).toThrow(
      /both handle "my_event"/,
    );
  });

  it("says it is not registered when its server is asked for too early", () => {
    expect(() => new Chat("/x").server).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_HANDLER" }),
    );
  });
});
