import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRORS, PushwireError, isErrorCode } from "../src/errors.js";

const doc = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");
const documented = new Set(doc.match(/PW_ERR_[A-Z0-9_]+/g) ?? []);

describe("error registry", () => {
  it("documents every registered code in docs/errors.md", () => {
    const missing = Object.keys(ERRORS).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  it("registers every code that docs/errors.md documents", () => {
    const unknown = [...documented].filter((code) => !isErrorCode(code));
    expect(unknown).toEqual([]);
  });

  it("names every code PW_ERR_<AREA>_<WHAT>", () => {
    for (const code of Object.keys(ERRORS)) expect(code).toMatch(/^PW_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
  });

  it("gives each error the registry's message unless told otherwise", () => {
    const err = new PushwireError("PW_ERR_ENGINE_UNKNOWN_SID");
    expect(err.message).toBe("Session ID unknown");
    expect(err.code).toBe("PW_ERR_ENGINE_UNKNOWN_SID");
    expect(new PushwireError("PW_ERR_ENGINE_UNKNOWN_SID", "custom").message).toBe("custom");
  });

  it("does not treat prototype keys as codes", () => {
    expect(isErrorCode("constructor")).toBe(false);
    expect(isErrorCode("__proto__")).toBe(false);
  });
});
