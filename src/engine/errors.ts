/**
 * Errors that cross the worker boundary and reach the CLI. Each has a stable `name` (the UI checks `err.name`, never
 * `instanceof`, because comlink keeps name, message and stack but not the class) and a message that says what failed
 * and how to fix it.
 */

export type SpilloverErrorName =
  | 'ConfigError'
  | 'DataError'
  | 'LlmError'
  | 'BudgetExceeded'
  | 'Cancelled'
  | 'StorageError'
  | 'QuotaExceeded'
  | 'BundleError'
  /** The LLM endpoint cannot be used from this page (CORS refused, or nothing answers); the message says what to do. */
  | 'EndpointProblem';

export class SpilloverError extends Error {
  constructor(
    override readonly name: SpilloverErrorName,
    message: string,
    /** The config field, file line or record the error is about, when there is one. */
    readonly where?: string,
  ) {
    super(message);
  }
}

/** Impossible configuration: `field` names the offending field, `fix` what to do. */
export function configError(field: string, problem: string, fix: string): SpilloverError {
  return new SpilloverError('ConfigError', `config: ${field} ${problem}; ${fix}`, field);
}

/** Malformed data file: `source` names the file or upload, `where` the line or field. */
export function dataError(source: string, where: string, problem: string, fix: string): SpilloverError {
  return new SpilloverError('DataError', `${source}: ${where} ${problem}; ${fix}`, where);
}

export function isSpilloverError(err: unknown): err is { name: SpilloverErrorName; message: string } {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string' &&
    ['ConfigError', 'DataError', 'LlmError', 'BudgetExceeded', 'Cancelled', 'StorageError', 'QuotaExceeded', 'BundleError', 'EndpointProblem']
      .includes((err as { name: string }).name);
}
