/**
 * The Batch API half of the local OpenAI-compatible server: POST /v1/files (multipart upload, purpose "batch"),
 * GET /v1/files/{id} and /v1/files/{id}/content, POST /v1/batches and GET /v1/batches/{id}. A job stays in progress for
 * a configurable delay, then completes with an output file (answers built exactly as /v1/chat/completions builds them,
 * so a batch run and a synchronous run get the same answers) and an error file holding a deterministic share of failed
 * lines. Kept in its own module so the chat half of the server stays as it is.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Rng, hashSeed } from '../../src/engine/rng';

export interface FakeBatchOptions {
  /** How long a job stays in progress after it is created, ms. @default 0 */
  batchDelayMs?: number;
  /** Share of lines that fail (500 in the error file); a line retried in a later job is drawn again. @default 0 */
  batchFailRate?: number;
}

export interface FakeBatchCounters {
  filesUploaded: number;
  batchesCreated: number;
  /** GET /v1/batches/{id} calls, per batch id. */
  retrieved: Record<string, number>;
  /** Lines received over all jobs, and lines that failed. */
  lines: number;
  failedLines: number;
  /** custom_ids of the failed lines, one entry per failure. */
  failedIds: string[];
  /** custom_ids of every line received, in order (a resumed run must not send a line twice). */
  customIds: string[];
}

/** What the chat half answers for one request body: a chat.completion payload (content, usage) or an error status. */
export type Completion = (body: Record<string, unknown>) => { status: number; payload: unknown };

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: Buffer;
  created: number;
}

interface Job {
  id: string;
  inputFileId: string;
  createdAt: number;
  readyAt: number;
  outputFileId: string | null;
  errorFileId: string | null;
  total: number;
  completed: number;
  failed: number;
  done: boolean;
}

export interface FakeBatchApi {
  counters: FakeBatchCounters;
  /** Answers the request if it is a files or batches route; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): boolean;
}

/** The one file part of a multipart/form-data body, with the other fields. */
function parseMultipart(raw: Buffer, contentType: string): { fields: Record<string, string>; file?: { name: string; data: Buffer } } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new Error('multipart body without a boundary');
  const delim = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields: Record<string, string> = {};
  let file: { name: string; data: Buffer } | undefined;
  let at = raw.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delim, start);
    if (next < 0) break;
    const part = raw.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next one
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const data = part.subarray(split + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename !== undefined) file = { name: filename, data: Buffer.from(data) };
    else fields[name] = data.toString('utf8');
    at = next;
  }
  return { fields, file };
}

export function createFakeBatchApi(options: FakeBatchOptions, complete: Completion, send: (res: ServerResponse, status: number, payload: unknown) => void): FakeBatchApi {
  const counters: FakeBatchCounters = { filesUploaded: 0, batchesCreated: 0, retrieved: {}, lines: 0, failedLines: 0, failedIds: [], customIds: [] };
  const files = new Map<string, StoredFile>();
  const jobs = new Map<string, Job>();
  const attempts = new Map<string, number>();
  let serial = 0;
  const nextId = (prefix: string) => `${prefix}-${(++serial).toString(36).padStart(6, '0')}`;

  function fileObject(f: StoredFile) {
    return { id: f.id, object: 'file', bytes: f.bytes.length, created_at: f.created, filename: f.filename, purpose: f.purpose, status: 'processed' };
  }

  function batchObject(j: Job) {
    return {
      id: j.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      input_file_id: j.inputFileId,
      completion_window: '24h',
      status: j.done ? 'completed' : 'in_progress',
      created_at: j.createdAt,
      output_file_id: j.outputFileId,
      error_file_id: j.errorFileId,
      request_counts: { total: j.total, completed: j.completed, failed: j.failed },
      errors: null,
    };
  }

  function store(filename: string, purpose: string, bytes: Buffer): StoredFile {
    const f: StoredFile = { id: nextId('file'), filename, purpose, bytes, created: Math.floor(Date.now() / 1000) };
    files.set(f.id, f);
    return f;
  }

  /** Runs every line of a job once it is due: answers to the output file, failures to the error file. */
  function finish(j: Job): void {
    const input = files.get(j.inputFileId);
    const out: string[] = [];
    const errors: string[] = [];
    for (const line of (input?.bytes.toString('utf8') ?? '').split('\n')) {
      if (!line.trim()) continue;
      const item = JSON.parse(line) as { custom_id: string; body: Record<string, unknown> };
      const seen = attempts.get(item.custom_id) ?? 0;
      attempts.set(item.custom_id, seen + 1);
      const h = createHash('sha256').update(item.custom_id).digest().readUInt32BE(0);
      const fails = (options.batchFailRate ?? 0) > 0 && new Rng(hashSeed(h, seen, 'batch-fail')).next() < (options.batchFailRate ?? 0);
      const requestId = `req_${createHash('sha256').update(`${j.id}/${item.custom_id}`).digest('hex').slice(0, 16)}`;
      if (fails) {
        counters.failedLines++;
        counters.failedIds.push(item.custom_id);
        j.failed++;
        errors.push(JSON.stringify({ id: `batch_req_${requestId}`, custom_id: item.custom_id, response: { status_code: 500, request_id: requestId, body: { error: { message: 'The server had an error processing this line (injected).', type: 'server_error' } } }, error: null }));
        continue;
      }
      const { status, payload } = complete(item.body);
      if (status === 200) j.completed++;
      else j.failed++;
      (status === 200 ? out : errors).push(JSON.stringify({ id: `batch_req_${requestId}`, custom_id: item.custom_id, response: { status_code: status, request_id: requestId, body: payload }, error: null }));
    }
    if (out.length) j.outputFileId = store(`${j.id}_output.jsonl`, 'batch_output', Buffer.from(out.join('\n') + '\n')).id;
    if (errors.length) j.errorFileId = store(`${j.id}_error.jsonl`, 'batch_output', Buffer.from(errors.join('\n') + '\n')).id;
    j.done = true;
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): boolean {
    const path = (req.url ?? '').replace(/\?.*$/, '').replace(/^.*?\/v1/, '');
    if (req.method === 'POST' && path === '/files') {
      const form = parseMultipart(raw, String(req.headers['content-type'] ?? ''));
      if (!form.file) {
        send(res, 400, { error: { message: "no 'file' part in the upload", type: 'invalid_request_error' } });
        return true;
      }
      counters.filesUploaded++;
      send(res, 200, fileObject(store(form.file.name, form.fields.purpose ?? '', form.file.data)));
      return true;
    }
    const fileRoute = /^\/files\/([^/]+)(\/content)?$/.exec(path);
    if (req.method === 'GET' && fileRoute) {
      const f = files.get(fileRoute[1]);
      if (!f) send(res, 404, { error: { message: `No such File object: ${fileRoute[1]}`, type: 'invalid_request_error' } });
      else if (fileRoute[2]) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.bytes.length) });
        res.end(f.bytes);
      } else send(res, 200, fileObject(f));
      return true;
    }
    if (req.method === 'POST' && path === '/batches') {
      const body = JSON.parse(raw.toString('utf8')) as { input_file_id?: string; endpoint?: string };
      const input = body.input_file_id ? files.get(body.input_file_id) : undefined;
      if (!input || body.endpoint !== '/v1/chat/completions') {
        send(res, 400, { error: { message: `batch: unknown input_file_id '${body.input_file_id}' or endpoint '${body.endpoint}'`, type: 'invalid_request_error' } });
        return true;
      }
      const lines = input.bytes.toString('utf8').split('\n').filter((l) => l.trim());
      counters.batchesCreated++;
      counters.lines += lines.length;
      for (const l of lines) counters.customIds.push((JSON.parse(l) as { custom_id: string }).custom_id);
      const now = Date.now();
      const j: Job = { id: nextId('batch'), inputFileId: input.id, createdAt: Math.floor(now / 1000), readyAt: now + (options.batchDelayMs ?? 0), outputFileId: null, errorFileId: null, total: lines.length, completed: 0, failed: 0, done: false };
      jobs.set(j.id, j);
      send(res, 200, batchObject(j));
      return true;
    }
    const batchRoute = /^\/batches\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && batchRoute) {
      const j = jobs.get(batchRoute[1]);
      if (!j) {
        send(res, 404, { error: { message: `No such Batch object: ${batchRoute[1]}`, type: 'invalid_request_error' } });
        return true;
      }
      counters.retrieved[j.id] = (counters.retrieved[j.id] ?? 0) + 1;
      if (!j.done && Date.now() >= j.readyAt) finish(j);
      send(res, 200, batchObject(j));
      return true;
    }
    return false;
  }

  return { counters, handle };
}
