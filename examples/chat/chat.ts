/**
 * A chat server written against socket.io 4.x's API: auth middleware, rooms, broadcasts
 * to rooms, acknowledgements, volatile typing notices, a poll that collects every
 * member's answer with a timeout, and presence from fetchSockets. It imports `Server`
 * from ./io.ts only, so switching between socket.io and pushwire is that one line.
 */
import type { Server as HttpServer } from "node:http";
import { Server } from "./io.js";

interface ChatMessage {
  id: number;
  room: string;
  from: string;
  text: string;
}

/** Starts the chat on `httpServer`; returns the Socket.IO server. */
export function startChat(httpServer: HttpServer): Server {
  const io = new Server(httpServer, { cors: { origin: "*" } });
  let nextId = 1;

  io.use((socket, next) => {
    const username: unknown = socket.handshake.auth.username;
    if (typeof username !== "string" || !/^[a-z]{1,16}$/.test(username)) {
      return next(
        Object.assign(new Error("invalid username"), { data: { expected: "[a-z]{1,16}" } }),
      );
    }
    socket.data.username = username;
    next();
  });

  io.on("connection", (socket) => {
    const username = socket.data.username as string;
    socket.emit("welcome", { username, rooms: ["general"] });
    socket.join("general");
    socket.to("general").emit("joined", { room: "general", username });

    socket.on("join", async (room: unknown, ack?: (reply: unknown) => void) => {
      if (typeof room !== "string" || room.length > 32 || typeof ack !== "function") return;
      socket.join(room);
      socket.to(room).emit("joined", { room, username });
      const members = await io.in(room).fetchSockets();
      ack({ room, members: members.map((s) => s.data.username as string).sort() });
    });

    socket.on("leave", (room: unknown) => {
      if (typeof room !== "string" || !socket.rooms.has(room) || room === socket.id) return;
      socket.leave(room);
      io.to(room).emit("left", { room, username });
    });

    socket.on("message", (room: unknown, text: unknown, ack?: (reply: unknown) => void) => {
      if (typeof room !== "string" || typeof text !== "string" || !socket.rooms.has(room)) {
        if (typeof ack === "function") ack({ error: "not in that room" });
        return;
      }
      const message: ChatMessage = { id: nextId++, room, from: username, text: text.slice(0, 500) };
      socket.to(room).emit("message", message);
      if (typeof ack === "function") ack({ id: message.id });
    });

    socket.on("typing", (room: unknown) => {
      if (typeof room === "string" && socket.rooms.has(room)) {
        socket.volatile.to(room).emit("typing", { room, username });
      }
    });

    socket.on("poll", async (room: unknown, question: unknown, ack?: (reply: unknown) => void) => {
      if (typeof room !== "string" || typeof question !== "string" || typeof ack !== "function")
        return;
      try {
        const votes = await io
          .to(room)
          .timeout(500)
          .emitWithAck("vote", { question, from: username });
        ack({ votes: votes.map(String).sort() });
      } catch (err) {
        const responses = (err as { responses?: unknown[] }).responses ?? [];
        ack({ votes: responses.map(String).sort(), timedOut: true });
      }
    });

    socket.on("disconnecting", () => {
      for (const room of socket.rooms) {
        if (room !== socket.id) socket.to(room).emit("left", { room, username });
      }
    });
  });

  return io;
}
