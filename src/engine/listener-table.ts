/**
 * Fast-mode listener tables for long-lived emitters (one per connection).
 *
 * Node's EventEmitter keeps its listeners in `_events`, an object literal with a null
 * prototype. V8 gives such objects dictionary-mode properties from the start: a hash
 * table of 160 bytes or more, per emitter, even for two or three event names. An object
 * whose prototype is an empty null-prototype object takes map transitions instead and
 * holds the same listeners in a few in-object fields. Its prototype chain has no
 * `Object.prototype`, so a name such as `constructor` or `__proto__` still finds
 * nothing but the listeners added under it, as with Node's own table.
 *
 * @module
 * @internal
 */
import type { EventEmitter } from "node:events";

const TABLE_PROTOTYPE: object = Object.freeze(Object.create(null) as object);

/** The fields of EventEmitter that hold its listeners. */
interface EmitterFields {
  _events: object | undefined;
  _eventsCount: number;
}

/**
 * Gives `emitter`, while it has no listener, a fast-mode listener table. EventEmitter
 * works on it unchanged (it replaces it with its own literal once the last listener
 * is removed).
 *
 * @internal
 */
export function useFastListenerTable(emitter: EventEmitter): void {
  const fields = emitter as unknown as EmitterFields;
  if (fields._eventsCount === 0) fields._events = Object.create(TABLE_PROTOTYPE) as object;
}
