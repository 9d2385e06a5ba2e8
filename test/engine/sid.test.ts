import { describe, expect, it } from "vitest";
import { randomSid } from "../../src/engine/sid.js";

describe("randomSid", () => {
  it("makes 20 base64url characters (120 random bits)", () => {
    for (let i = 0; i < 1000; i++) expect(randomSid()).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });

  it("never repeats across pool refills", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(randomSid());
    expect(seen.size).toBe(100_000);
  });
});
