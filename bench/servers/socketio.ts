// socket.io 4.x with default options. pushwire.ts is this file with the import changed.
import { Server } from "socket.io";
import { serveBenchApp } from "./app.js";

serveBenchApp(Server);
