/**
 * The control channel between the runner and its children (servers, load generator): the
 * Node IPC channel, which survives `taskset`'s exec. A request is `{ id, cmd, args }`, a
 * reply `{ id, ok, result | error }`; a child announces itself with `{ type: "ready", … }`.
 *
 * @module
 */

/** One command a child serves. */
export type RpcHandler = (args: any) => unknown;

interface RpcRequest {
  id: number;
  cmd: string;
  args: unknown;
}

/** A reply as it travels back to the runner. */
export interface RpcReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/**
 * Serves `handlers` over the IPC channel, then says ready with `info`. The child exits
 * when the runner goes away, so an interrupted run leaves no orphan holding ports.
 */
export function serveRpc(
  handlers: Record<string, RpcHandler>,
  info: Record<string, unknown>,
): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("bench children must be started with an IPC channel");
  process.on("message", (message: RpcRequest) => {
    const handler = handlers[message.cmd];
    if (!handler) {
      send({ id: message.id, ok: false, error: `unknown command ${message.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => send({ id: message.id, ok: true, result: result ?? null }),
        (err: unknown) =>
          send({
            id: message.id,
            ok: false,
            error: err instanceof Error ? err.stack : String(err),
          }),
      );
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", ...info });
}
