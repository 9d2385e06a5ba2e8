// docs/reliability.md holds the evidence: every case of the catalogue has a row,
// and every test file and test name a row cites exists, named after its case.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;
const doc = readFileSync(`${root}docs/reliability.md`, "utf8");

function range(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

const CASES = [
  ...range("A1-", 11),
  ...range("A2-", 10),
  ...range("A3-", 8),
  ...range("A4-", 5),
  ...range("A5-", 8),
  ...range("A6-", 8),
  ...range("B", 8),
  ...range("C", 7),
  ...range("D", 8),
];

/** Table rows as their trimmed cells. */
const rows = doc
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| -"))
  .map((line) =>
    line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );

/** The files and the quoted test names a cell cites. */
function citations(cell: string): { files: string[]; names: string[] } {
  return {
    files: [...cell.matchAll(/`(test\/[\w/.-]+\.ts)`/g)].map((m) => m[1]!),
    names: [...cell.matchAll(/"([^"]+)"/g)].map((m) => m[1]!),
  };
}

describe("the reliability case table", () => {
  it("has one row per case, A1-1 to D8, each with a status", () => {
    const ids = rows.map((cells) => cells[0]!).filter((id) => /^[ABCD]\d/.test(id));
    expect(ids).toEqual(CASES);
    for (const cells of rows.filter((c) => CASES.includes(c[0]!))) {
      expect(["test", "bench", "partial", "open"], cells[0]).toContain(cells[1]);
    }
  });

  it("cites only test files and test names that exist", () => {
    let cited = 0;
    for (const cells of rows) {
      for (const cell of cells) {
        const { files, names } = citations(cell);
        if (files.length === 0) continue;
        const sources = files.map((file) => readFileSync(`${root}${file}`, "utf8")).join("\n");
        for (const name of names) {
          expect(sources, `${cells[0]}: ${name}`).toContain(name);
          cited++;
        }
      }
    }
    expect(cited).toBeGreaterThan(120);
  });

  it("names the tests of cases A, B, C6 and D after their case, and leaves no test case without one", () => {
    for (const cells of rows.filter((c) => CASES.includes(c[0]!) && c[1] === "test")) {
      const id = cells[0]!;
      const { files, names } = citations(cells[2]!);
      expect(files.length, id).toBeGreaterThan(0);
      expect(names.length, id).toBeGreaterThan(0);
      if (/^(A|B|C6|D[1-5]|D7|D8)/.test(id)) {
        expect(
          names.some((name) => name.startsWith(`${id} `)),
          id,
        ).toBe(true);
      }
    }
  });
});
