// The poisoning check the fuzz runs rely on can fail: it reports a polluted prototype
// and a new global, and passes again once they are gone.
import { describe, expect, it } from "vitest";
import { assertNotPoisoned } from "./poisoning.js";

describe("prototype poisoning check", () => {
  it("reports a polluted Object.prototype and a new global, then passes once they are gone", () => {
    assertNotPoisoned();
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    expect(() => assertNotPoisoned()).toThrow(/Object\.prototype\.polluted/);
    delete proto.polluted;
    (globalThis as Record<string, unknown>).leaked = {};
    expect(() => assertNotPoisoned()).toThrow(/leaked/);
    delete (globalThis as Record<string, unknown>).leaked;
    assertNotPoisoned();
  });
});
