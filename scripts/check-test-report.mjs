// Fails when a vitest JSON report holds a skipped, pending or todo test, or no test at all.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const skipped = [];
for (const file of report.testResults) {
  if (file.status !== "passed") skipped.push(`${file.name}: file ${file.status}`);
  for (const test of file.assertionResults) {
    if (test.status !== "passed" && test.status !== "failed") {
      skipped.push(`${file.name}: ${test.fullName} (${test.status})`);
    }
  }
}
if (report.numTotalTests === 0) skipped.push("no tests ran");
if (skipped.length > 0) {
  console.error(`${skipped.length} test(s) did not run:\n  ${skipped.join("\n  ")}`);
  process.exit(1);
}
console.log(`all ${report.numPassedTests} tests ran and passed`);
