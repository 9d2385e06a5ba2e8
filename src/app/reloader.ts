/**
 * `run({ debug: true })`'s reloader, as Flask's: the process that called `run()` becomes
 * a supervisor. It starts the same program again as a child (same Node flags, so a
 * `tsx` loader comes along), watches the program's folder (and `extraFiles`), and
 * restarts the child whenever a code file (`.ts`, `.js`, `.json`, ...) changes; pages
 * and styles are read per request and need no restart. The child is the one that serves; it knows it is the child
 * by the {@link RELOADER_ENV} variable. SIGINT/SIGTERM go to the child, whose graceful
 * stop ends the supervisor too.
 *
 * Why not `node --watch`: it is experimental on Node 20, and it cannot tell the
 * program's own files from `node_modules` when a loader is in use.
 *
 * @module
 * @internal
 */
import { spawn, type ChildProcess } from "node:child_process";
import { statSync, watch, type FSWatcher } from "node:fs";
import { dirname, resolve } from "node:path";

/** Set to `1` in the child the reloader starts. @internal */
export const RELOADER_ENV = "PUSHWIRE_RELOADER_CHILD";

/** Files whose change restarts the program: code and configuration, not pages or styles. */
const CODE = /\.(?:[cm]?[jt]s|tsx|jsx|json)$/;

/** Changes to these paths never restart the program. */
const IGNORED =
  /(^|[/\\])(node_modules|\.git|dist|coverage|\.artifacts)([/\\]|$)|(^|[/\\])\.[^/\\]*$|~$|\.swp$/;

/** Whether this process is the child of a reloader. @internal */
export function isReloaderChild(): boolean {
  return process.env[RELOADER_ENV] === "1";
}

/** The folders the reloader watches: the main script's, and `extraFiles`. @internal */
export function watchedPaths(extraFiles: readonly string[] = []): string[] {
  const main = process.argv[1];
  const paths = main === undefined ? [process.cwd()] : [dirname(resolve(main))];
  for (const extra of extraFiles) paths.push(resolve(extra));
  return [...new Set(paths)];
}

/**
 * Becomes the supervisor: runs the program as a child and restarts it on changes under
 * `paths`. Never returns; the supervisor exits with the child's code when it stops on
 * a signal.
 *
 * @internal
 */
export function supervise(paths: readonly string[], log: (line: string) => void): Promise<never> {
  let child: ChildProcess | null = null;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let stopping = false;
  let restarting = false;

  const start = (): void => {
    const proc = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      env: { ...process.env, [RELOADER_ENV]: "1" },
      stdio: "inherit",
      // Its own process group: a terminal's Ctrl+C reaches the supervisor only, which
      // passes it on once (twice would make the child skip its graceful stop).
      detached: true,
    });
    child = proc;
    proc.on("exit", (code, signal) => {
      if (child === proc) child = null;
      if (stopping) {
        process.exit(code ?? (signal === null ? 0 : 1));
      }
      if (restarting) {
        restarting = false;
        start();
        return;
      }
      log(`the program exited (${signal ?? `code ${code}`}); waiting for a change to restart it`);
    });
  };

  const restart = (file: string): void => {
    log(`${file} changed: restarting`);
    if (child === null) {
      start();
      return;
    }
    restarting = true;
    child.kill("SIGTERM");
  };

  const watchers: FSWatcher[] = paths.map((path) => {
    // A folder restarts on its code files; a file named in extraFiles on any change.
    const folder = statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
    return watch(path, { recursive: folder }, (_event, name) => {
      const file = folder && name !== null ? resolve(path, name.toString()) : path;
      if (stopping || (folder && (IGNORED.test(file) || !CODE.test(file)))) return;
      // Editors write a file in several steps: one restart per burst.
      clearTimeout(restartTimer);
      restartTimer = setTimeout(() => restart(file), 100);
    });
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    // A terminal's Ctrl+C may arrive twice (directly, and relayed by a runner like tsx).
    if (stopping) return;
    stopping = true;
    clearTimeout(restartTimer);
    for (const w of watchers) w.close();
    if (child === null) process.exit(0);
    child.kill(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  log(`debug mode: restarting on changes under ${paths.join(", ")}`);
  start();
  return new Promise<never>(() => {});
}
