// Adds up the results files written by the mocha reporter and the scenario check.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const file of ['.test-results/mocha.json', '.test-results/scenarios.json']) {
  if (!existsSync(file)) continue;
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.passed ?? 0;
  failed += result.failed ?? 0;
}
console.log(`${passed} passed, ${failed} failed`);
