// pushwire with default options: socketio.ts with the import changed.
// The two comment lines below keep typecheck green until src/index.ts exports Server
// (issue 7); delete them then, so that the import is type-checked against BenchIo.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore
import { Server } from "../../src/index.js";
import { serveBenchApp } from "./app.js";

serveBenchApp(Server);
