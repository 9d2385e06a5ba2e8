// The one line that picks the server: pushwire here; `export { Server } from "socket.io";`
// runs the same chat on socket.io. (Outside this repository: `from "pushwire"`.)
export { Server } from "../../src/index.js";
