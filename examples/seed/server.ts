/**
 * The seed's demo: `npm start` (or `npm start -- --port 8080`, or `PORT=8080 npm start`),
 * then open http://127.0.0.1:5000/ in two tabs.
 *
 *   --port N    port to listen on (default: $PORT, else 5000; 0 picks a free one)
 *   --debug     verbose logs, and a restart whenever a file of the demo changes
 */
import { createSeedApp, STATIC_DIR } from "./app.js";

function option(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === name) return args[i + 1];
    if (arg.startsWith(name + "=")) return arg.slice(name.length + 1);
  }
  return undefined;
}

const args = process.argv.slice(2);
const portText = option(args, "--port") ?? process.env.PORT ?? "5000";
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) {
  console.error(`invalid port: ${portText} (use --port N or PORT=N, N from 0 to 65535)`);
  process.exit(2);
}

const { socketio, app } = createSeedApp();
await socketio.run(app, {
  host: "127.0.0.1",
  port,
  staticDir: STATIC_DIR,
  debug: args.includes("--debug"),
});
