/**
 * The Batch API as a chat transport: every call a round asks for is held until all of the round's live calls are
 * waiting, then sent as one job (JSONL upload to /v1/files, /v1/batches create, polled with backoff, output and error
 * files downloaded) and answered by custom_id. The port above is unchanged, so records equal a synchronous run's
 * given the same answers; repair turns and failed lines go into the next job. Job ids are kept in a state store so an
 * interrupted run picks up its jobs instead of paying for them twice.
 */
import OpenAI, { APIError, toFile } from 'openai';
import { SpilloverError } from '../../engine/errors';
import { cacheKey, endpointId } from './cache';
import { answerOf, chatBody, RequestRejected, scrubKey, type ChatAnswer, type ChatRequest, type ChatSender, type StructuredOutputs } from './client';
import { cancelled, onAbort } from './throughput';

/** A submitted job: its id and the custom_ids of its lines. `collected`: its answers were handed out. */
export interface BatchJobRecord {
  id: string;
  customIds: string[];
  collected?: boolean;
}

/** Where job ids survive the process (the CLI's file next to the response cache). */
export interface BatchStateStore {
  load(): BatchJobRecord[];
  save(jobs: BatchJobRecord[]): void;
}

export interface BatchProgress {
  jobId: string;
  status: string;
  total: number;
  completed: number;
  failed: number;
  /** True when the job was found in the state store rather than submitted now. */
  resumed: boolean;
}

export interface BatchSettings {
  /** Job ids of this run; without one an interrupted run resubmits its open jobs. */
  state?: BatchStateStore;
  /** First wait between polls; grows by half each poll up to `maxPollMs`. @default 5000 */
  pollMs?: number;
  /** @default 60000 */
  maxPollMs?: number;
  /** Jobs a line may fail in (5xx, expired, missing) before the run stops. @default 4 */
  maxLineFailures?: number;
  onProgress?: (p: BatchProgress) => void;
}

export interface BatchTransportOptions extends BatchSettings {
  apiKey: string;
  baseURL?: string;
  /** 'off' sends no response_format; otherwise lines ask for the JSON schema (a job cannot fall back mid-way). */
  structuredOutputs?: StructuredOutputs;
  fetch?: typeof fetch;
}

interface Pending {
  id: string;
  body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
  model: string;
  failures: number;
  signal?: AbortSignal;
  resolve: (v: { value: ChatAnswer }) => void;
  reject: (err: unknown) => void;
  off: () => void;
}

interface OutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

export class BatchTransport implements ChatSender {
  private readonly client: OpenAI;
  private readonly opts: BatchTransportOptions;
  private live = 0;
  private pending: Pending[] = [];
  private running = false;
  /** Jobs this transport has read: their failed lines go into a new job, never back to the same one. */
  private readonly read = new Set<string>();
  /** Jobs submitted or adopted by this transport, for the summary. */
  readonly stats = { jobs: 0, resumedJobs: 0, lines: 0, failedLines: 0 };

  constructor(opts: BatchTransportOptions) {
    this.opts = opts;
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      dangerouslyAllowBrowser: true,
      maxRetries: 4,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  /**
   * Runs one decision's calls as a participant: a job is sent only when every participant is waiting on `send` (or
   * done), so a round's first answers go in one job and its repair turns in the next.
   */
  async participant<T>(work: () => Promise<T>): Promise<T> {
    this.live++;
    try {
      return await work();
    } finally {
      this.live--;
      this.maybeFlush();
    }
  }

  async send(req: ChatRequest, signal?: AbortSignal): Promise<{ value: ChatAnswer }> {
    if (signal?.aborted) throw cancelled();
    const body = chatBody(req, this.opts.structuredOutputs === 'off' ? 'none' : 'json_schema');
    const id = await cacheKey({ endpoint: endpointId(this.opts.baseURL), model: req.model, messages: body.messages as ChatRequest['messages'], schema: req.schema, temperature: req.temperature, seed: req.seed });
    return new Promise((resolve, reject) => {
      const entry: Pending = { id, body, model: req.model, failures: 0, signal, resolve, reject, off: () => {} };
      entry.off = onAbort(signal, () => {
        const i = this.pending.indexOf(entry);
        if (i >= 0) this.pending.splice(i, 1);
        reject(cancelled());
        this.maybeFlush();
      });
      this.pending.push(entry);
      this.maybeFlush();
    });
  }

  private maybeFlush(): void {
    if (this.running || this.pending.length === 0 || this.pending.length < this.live) return;
    this.running = true;
    const lines = this.pending.splice(0);
    this.runJobs(lines)
      .catch((err: unknown) => {
        for (const l of lines) this.settle(l, err);
      })
      .finally(() => {
        this.running = false;
        this.maybeFlush();
      });
  }

  private settle(l: Pending, err: unknown, value?: ChatAnswer): void {
    l.off();
    if (value) l.resolve({ value });
    else l.reject(err);
  }

  /** One flush: adopt stored jobs that hold some of these lines, submit one job for the rest, collect all. */
  private async runJobs(lines: Pending[]): Promise<void> {
    const byId = new Map<string, Pending[]>();
    for (const l of lines) byId.set(l.id, [...(byId.get(l.id) ?? []), l]);
    const stored = this.opts.state?.load() ?? [];
    const adopted = stored.filter((j) => !this.read.has(j.id) && j.customIds.some((c) => byId.has(c)));
    // Jobs collected earlier and not wanted now had their answers cached by the time this flush began.
    const kept = stored.filter((j) => !j.collected || adopted.includes(j));
    const covered = new Set(adopted.flatMap((j) => j.customIds));
    const fresh = [...byId.keys()].filter((c) => !covered.has(c));
    const jobs: Array<{ record: BatchJobRecord; resumed: boolean }> = adopted.map((record) => ({ record, resumed: true }));
    if (fresh.length) {
      const record = await this.submit(fresh.map((c) => byId.get(c)![0]));
      kept.push(record);
      jobs.push({ record, resumed: false });
    }
    this.opts.state?.save(kept);
    this.stats.resumedJobs += adopted.length;
    const answered = new Set<string>();
    for (const { record, resumed } of jobs) {
      const results = await this.collect(record, resumed, lines);
      if (!results) continue; // every waiter was cancelled: leave the job for a resume
      for (const [cid, outcome] of results) {
        for (const l of byId.get(cid) ?? []) {
          answered.add(cid);
          if (outcome.answer) this.settle(l, undefined, outcome.answer);
          else if (outcome.rejected) this.settle(l, new RequestRejected(outcome.rejected));
          else this.retryLater(l, outcome.failed ?? 'no result');
        }
      }
      this.read.add(record.id);
      record.collected = true;
      this.opts.state?.save(kept);
    }
    for (const [cid, ls] of byId) if (!answered.has(cid)) for (const l of ls) this.retryLater(l, 'the job returned no line for it');
  }

  private retryLater(l: Pending, why: string): void {
    this.stats.failedLines++;
    l.failures++;
    const max = this.opts.maxLineFailures ?? 4;
    if (l.failures >= max) {
      this.settle(l, new SpilloverError('LlmError', `Batch API: a request failed in ${l.failures} jobs in a row (last: ${scrubKey(why, this.opts.apiKey)}); check the endpoint's batch status page, then rerun the same command to resume`));
    } else if (l.signal?.aborted) {
      this.settle(l, cancelled());
    } else {
      this.pending.push(l);
    }
  }

  private async submit(lines: Pending[]): Promise<BatchJobRecord> {
    const jsonl = lines.map((l) => JSON.stringify({ custom_id: l.id, method: 'POST', url: '/v1/chat/completions', body: l.body })).join('\n') + '\n';
    try {
      const file = await this.client.files.create({ file: await toFile(new TextEncoder().encode(jsonl), 'spillover-round.jsonl', { type: 'application/jsonl' }), purpose: 'batch' });
      const job = await this.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      this.stats.jobs++;
      this.stats.lines += lines.length;
      return { id: job.id, customIds: lines.map((l) => l.id) };
    } catch (err) {
      throw this.fatal('submitting a job', err);
    }
  }

  /** Polls a job to its end and reads its files; undefined if every line waiting on it was cancelled meanwhile. */
  private async collect(record: BatchJobRecord, resumed: boolean, lines: Pending[]): Promise<Map<string, { answer?: ChatAnswer; rejected?: string; failed?: string }> | undefined> {
    let wait = this.opts.pollMs ?? 5000;
    let job: OpenAI.Batches.Batch;
    for (;;) {
      try {
        job = await this.client.batches.retrieve(record.id);
      } catch (err) {
        if (err instanceof APIError && err.status === 404) return new Map(); // gone (another endpoint, purged): resubmit its lines
        throw this.fatal(`reading job ${record.id}`, err);
      }
      const counts = job.request_counts;
      this.opts.onProgress?.({ jobId: job.id, status: job.status, total: counts?.total ?? record.customIds.length, completed: counts?.completed ?? 0, failed: counts?.failed ?? 0, resumed });
      if (TERMINAL.has(job.status)) break;
      if (lines.every((l) => l.signal?.aborted)) return undefined;
      await pause(wait, lines);
      wait = Math.min(this.opts.maxPollMs ?? 60_000, wait * 1.5);
    }
    const results = new Map<string, { answer?: ChatAnswer; rejected?: string; failed?: string }>();
    const model = new Map(lines.map((l) => [l.id, l.model]));
    for (const fileId of [job.output_file_id, job.error_file_id]) {
      if (!fileId) continue;
      let text: string;
      try {
        text = await (await this.client.files.content(fileId)).text();
      } catch (err) {
        throw this.fatal(`downloading ${fileId} of job ${job.id}`, err);
      }
      for (const raw of text.split('\n')) {
        if (!raw.trim()) continue;
        let line: OutputLine;
        try {
          line = JSON.parse(raw) as OutputLine;
        } catch {
          continue; // an unreadable line counts as missing: its request goes into the next job
        }
        if (!line.custom_id) continue;
        results.set(line.custom_id, readLine(line, model.get(line.custom_id) ?? ''));
      }
    }
    if (job.status === 'failed' && results.size === 0) {
      const why = job.errors?.data?.map((e) => e.message).join('; ') || 'the job failed';
      for (const c of record.customIds) results.set(c, { failed: `job ${job.id}: ${why}` });
    }
    return results;
  }

  private fatal(what: string, err: unknown): SpilloverError {
    if (err instanceof SpilloverError) return err;
    const msg = scrubKey(err instanceof Error ? err.message : String(err), this.opts.apiKey);
    const status = err instanceof APIError ? err.status : undefined;
    const fix =
      status === 401 || status === 403
        ? 'check OPENAI_API_KEY'
        : status === 404
          ? 'check the base URL: the endpoint needs /v1/files and /v1/batches (drop --batch for endpoints without the Batch API)'
          : 'check that the endpoint is up, then rerun the same command: submitted jobs are picked up by id';
    return new SpilloverError('LlmError', `Batch API: ${what} failed (${status ?? 'no response'}: ${msg}); ${fix}`);
  }
}

/** One output or error line: an answer, a rejection of this request alone, or a failure worth another job. */
function readLine(line: OutputLine, model: string): { answer?: ChatAnswer; rejected?: string; failed?: string } {
  const status = line.response?.status_code ?? 0;
  if (status === 200) {
    const answer = answerOf(line.response?.body as OpenAI.Chat.ChatCompletion, model);
    return answer ? { answer } : { failed: 'the answer has no message content' };
  }
  const body = line.response?.body as { error?: { message?: string } } | undefined;
  const why = `${status || line.error?.code || 'error'} ${body?.error?.message ?? line.error?.message ?? ''}`.trim();
  if (status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429) return { rejected: why };
  return { failed: why };
}

/** Waits `ms`, or less once every waiting line is cancelled. */
function pause(ms: number, lines: Pending[]): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const offs = lines.map((l) => onAbort(l.signal, () => lines.every((x) => x.signal?.aborted) && done()));
    function done(): void {
      clearTimeout(timer);
      for (const off of offs) off();
      resolve();
    }
  });
}
