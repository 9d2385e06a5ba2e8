// pushwire with default options: socketio.ts with the import changed.
import { Server } from "../../src/index.js";
import { serveBenchApp } from "./app.js";

serveBenchApp(Server);
