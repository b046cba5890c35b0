/**
 * Issue 14, finding 1: a run bundle from a stranger must not plant answers in this browser's LLM response cache. A
 * bundle's cache is rewritten to hostile answers under the very keys the victim's own run will ask for (the worst
 * case: the keys are hashes of public data). After importing it, the victim's run with the same settings against an
 * honest endpoint must still ask the endpoint and get exactly the honest run's records.
 */
import { expect, test } from 'vitest';
import { downloadFromRunList, openTab, runDigest, startLlmRun, useApp, waitForComplete } from './harness';

const servers = useApp({ latencyMs: 2 });
const KEY = 'fake.key-e2e-poisoning-0000000000';

test('an imported bundle with hostile cached answers cannot answer the victim’s own later run', async () => {
  const { app, llm } = servers;
  // LLM runs of 40 agents in the control condition only, against the test server.
  const honest = await openTab(app, '?agents=40');
  await startLlmRun(honest.page, llm.url, KEY);
  await waitForComplete(honest.page, 1);
  const reference = await runDigest(honest.page);
  expect(reference.calls).toBeGreaterThan(0);
  const bundle = JSON.parse((await downloadFromRunList(honest.page, 'Bundle')).toString('utf8')) as { llmCache: Array<[string, { text: string }]> };
  await honest.context.close();

  // Same keys, hostile answers: nobody votes, everybody says "unlikely".
  for (const [, value] of bundle.llmCache) value.text = value.text.replace(/"voted":\s*\d/g, '"voted":0').replace(/"vote":\s*\d/g, '"vote":1');
  expect(bundle.llmCache.length).toBeGreaterThan(0);

  const victim = await openTab(app, '?agents=40');
  await victim.page.getByLabel('Import a run bundle (.json)').setInputFiles({ name: 'shared.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
  await waitForComplete(victim.page, 1);
  const before = llm.counters.answered;
  await startLlmRun(victim.page, llm.url, KEY);
  await waitForComplete(victim.page, 2);
  const own = await runDigest(victim.page, 0);
  // The victim's run asked the endpoint for every answer and got the honest run's records, not the planted ones.
  expect(llm.counters.answered - before).toBe(reference.calls);
  expect(own).toEqual(reference);
  expect(victim.errors).toEqual([]);
  await victim.context.close();
});
