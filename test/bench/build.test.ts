import { describe, expect, it } from "vitest";
import { explainBuildFailure } from "../../bench/build.js";

describe("explainBuildFailure", () => {
  it("says when src/index.ts is missing", () => {
    expect(explainBuildFailure('Could not resolve "../../src/index.js"')).toBe(
      "src/index.ts does not exist",
    );
  });

  it("says when src/index.ts does not export Server", () => {
    expect(explainBuildFailure('No matching export in "src/index.ts" for import "Server"')).toBe(
      "src/index.ts does not export Server",
    );
  });

  it("passes on the first line of any other failure", () => {
    expect(explainBuildFailure('Expected ";" but found ")"\nmore')).toBe(
      'Expected ";" but found ")"',
    );
  });
});
