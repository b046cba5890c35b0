/**
 * Node-side network loading for the CLI and tests: streams an edge-list file through the same incremental parser the
 * browser uses, so both read a file identically.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { dataError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import { EdgeListParser, type EdgeListResult } from '../engine/network-import';

const CHUNK_BYTES = 4 << 20;

/** Read an edge-list file ("a b" = a follows b) with its import statistics. */
export function readEdgeListFile(path: string): EdgeListResult {
  if (!existsSync(path)) {
    throw dataError(`network import (${path})`, 'file', 'does not exist', 'check the path (relative paths are resolved from the current directory)');
  }
  if (statSync(path).isDirectory()) {
    throw dataError(`network import (${path})`, 'file', 'is a directory', 'pass the path of an edge-list file');
  }
  const parser = new EdgeListParser(path);
  const fd = openSync(path, 'r');
  try {
    // The decoder keeps a UTF-8 sequence that straddles two chunks whole.
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      parser.push(decoder.write(buffer.subarray(0, read)));
    }
    parser.push(decoder.end());
  } finally {
    closeSync(fd);
  }
  return parser.finish();
}

/** Read an edge-list file into a network. */
export function readNetworkFile(path: string): FollowNetwork {
  return readEdgeListFile(path).network;
}
