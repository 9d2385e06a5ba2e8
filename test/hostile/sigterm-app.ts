// A Flask-style app under run(), for the SIGTERM case of graceful shutdown: a background
// task that takes a while to stop once told, and a handler that queues a burst of events.
import { emit, SocketIO } from "../../src/index.js";

const socketio = new SocketIO({ logger: false });
socketio.on("burst", (count: number) => {
  for (let n = 0; n < count; n++) emit("n", n);
  return "queued"; // the acknowledgement
});
socketio.startBackgroundTask(async (signal) => {
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
  console.log("task: stopping");
  await new Promise((resolve) => setTimeout(resolve, 400)); // winding down
  console.log("task: stopped");
});
await socketio.run(undefined, { host: "127.0.0.1", port: 0 });
