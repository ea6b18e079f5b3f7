import { gunzipSync } from "node:zlib";
import { ConfigError } from "../errors/errors.js";

const BLOCK = 512;
const GZIP_MAGIC = [0x1f, 0x8b];
/** Far above any policy bundle; stops a corrupt or hostile file from inflating without bound. */
const MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024;

/** Internal: turned into a ConfigError naming the file by readTarGz. */
class TarFormatProblem extends Error {}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * The regular files of a gzip-compressed tar archive (as `opa build` writes bundles), keyed by
 * their path without a leading `/` or `./`. Understands ustar (with the name prefix), PAX `path`
 * records and GNU long names, which covers what Go's archive/tar produces.
 */
export function readTarGz(bytes: Uint8Array, file: string): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: MAX_UNCOMPRESSED_BYTES });
  } catch (err) {
    throw new ConfigError([{ file, message: `not a gzip-compressed bundle: ${(err as Error).message}` }]);
  }
  try {
    return readTar(tar);
  } catch (err) {
    if (err instanceof TarFormatProblem)
      throw new ConfigError([{ file, message: `not an OPA bundle: ${err.message}` }]);
    throw err;
  }
}

function readTar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return files;
    verifyChecksum(header, offset);
    const size = readSize(header, offset);
    const bodyStart = offset + BLOCK;
    if (bodyStart + size > tar.length) throw new TarFormatProblem(`entry at byte ${offset} is truncated`);
    const body = tar.subarray(bodyStart, bodyStart + size);
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === "x") longName = paxPath(body) ?? longName;
    else if (type === "L") longName = cString(body);
    else {
      if (type === "0" || type === "\0" || type === "7")
        files.set(normaliseName(longName ?? headerName(header)), body);
      longName = undefined;
    }
    offset = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  // Tolerate a missing end-of-archive marker, as GNU tar does, but not a torn header block.
  if (offset === tar.length) return files;
  throw new TarFormatProblem(`trailing garbage or a truncated header at byte ${offset}`);
}

function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString("latin1") === "ustar";
  const prefix = isUstar ? cString(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function normaliseName(name: string): string {
  return name.replace(/^(\.?\/)+/, "");
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString("utf8");
}

function readSize(header: Buffer, offset: number): number {
  const field = header.subarray(124, 136);
  // A set high bit means a base-256 size (files of 8 GiB and more): never a policy bundle.
  if (((field[0] ?? 0) & 0x80) !== 0) throw new TarFormatProblem(`entry at byte ${offset} is too large`);
  const text = cString(field).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarFormatProblem(`entry at byte ${offset} has a malformed size`);
  return text === "" ? 0 : Number.parseInt(text, 8);
}

/** The header checksum tells a tar archive from any other gzip-compressed file. */
function verifyChecksum(header: Buffer, offset: number): void {
  const stored = Number.parseInt(cString(header.subarray(148, 156)).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  if (stored !== sum) throw new TarFormatProblem(`not a tar archive (bad header checksum at byte ${offset})`);
}

/** PAX extended header records are `<length> <key>=<value>\n`. */
function paxPath(body: Buffer): string | undefined {
  let path: string | undefined;
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = Number.parseInt(body.subarray(at, space).toString("latin1"), 10);
    if (space === -1 || !Number.isFinite(length) || length <= 0) break;
    const record = body.subarray(space + 1, at + length - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (record.slice(0, eq) === "path") path = record.slice(eq + 1);
    at += length;
  }
  return path;
}
