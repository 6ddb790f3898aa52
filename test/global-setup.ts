// Runs once before any test file: builds the lab page (web/ -> web/dist) when it is missing or stale, so that the
// test files that serve it (test/lab.test.ts, test/lab-sweep.test.ts), which run in parallel workers, never build it
// at the same time and replace web/dist under one another.
import { buildReason, buildWeb } from '../src/server/build-web.js';

export default async function setup(): Promise<void> {
  const reason = buildReason();
  if (!reason) return;
  const started = Date.now();
  await buildWeb();
  console.log(`test setup: built the lab (${reason}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
