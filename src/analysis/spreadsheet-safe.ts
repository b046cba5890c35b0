/**
 * Spreadsheet-safe copies of CSV files. Model-written text (replies, posts) can start with `=`, `+`, `-` or `@`, which
 * Excel, LibreOffice and Google Sheets run as a formula when the file is opened (CSV injection). The raw files stay
 * as they are for pandas and R; these copies prefix such text cells with an apostrophe, which spreadsheets show as
 * text. Numbers (−15, -0.5, 1e-3) are left alone so that the columns stay numeric.
 */

/** Characters that make a spreadsheet read a cell as a formula (OWASP's list, tab and carriage return included). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One cell's text made safe: a formula-like text gets a leading apostrophe; numbers and plain text are unchanged. */
export function safeCell(text: string): string {
  return FORMULA_START.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rewrite an RFC 4180 CSV with every field passed through `safeCell` (quoting kept valid, line ends kept). */
export function spreadsheetSafeCsv(csv: string): string {
  let out = '';
  let field = '';
  let quoted = false;
  let i = 0;
  const flush = () => {
    out += quote(safeCell(field));
    field = '';
  };
  while (i < csv.length) {
    const c = csv[i];
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      flush();
      out += ',';
    } else if (c === '\n' || (c === '\r' && csv[i + 1] === '\n')) {
      flush();
      const eol = c === '\r' ? '\r\n' : '\n';
      out += eol;
      i += eol.length;
      continue;
    } else field += c;
    i++;
  }
  if (field !== '' || (csv.length > 0 && !csv.endsWith('\n'))) flush();
  return out;
}
