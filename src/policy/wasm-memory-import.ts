const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const IMPORT_SECTION = 2;
const IMPORT_KIND_FUNCTION = 0;
const IMPORT_KIND_TABLE = 1;
const IMPORT_KIND_MEMORY = 2;
const IMPORT_KIND_GLOBAL = 3;
const IMPORT_KIND_TAG = 4;
const LIMITS_HAS_MAXIMUM = 0x01;

export function isWasmModule(bytes: Uint8Array): boolean {
  return WASM_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * The minimum number of 64 KiB pages the module declares for its imported memory (OPA modules
 * import `env.memory`), or undefined when it imports none. The host must create the memory with
 * at least that many pages, so a `maxMemoryPages` below it can be reported before instantiation.
 */
export function importedMemoryMinimumPages(bytes: Uint8Array): number | undefined {
  const reader = new ByteReader(bytes, 8);
  while (!reader.atEnd()) {
    const id = reader.byte();
    const size = reader.leb();
    const end = reader.offset + size;
    if (id === IMPORT_SECTION) return memoryMinimumInImports(reader);
    reader.offset = end;
  }
  return undefined;
}

function memoryMinimumInImports(reader: ByteReader): number | undefined {
  const count = reader.leb();
  for (let i = 0; i < count; i++) {
    reader.skip(reader.leb()); // module name
    reader.skip(reader.leb()); // field name
    const kind = reader.byte();
    if (kind === IMPORT_KIND_MEMORY) return readLimitsMinimum(reader);
    skipImportDescriptor(reader, kind);
  }
  return undefined;
}

function skipImportDescriptor(reader: ByteReader, kind: number): void {
  switch (kind) {
    case IMPORT_KIND_FUNCTION:
      reader.leb();
      return;
    case IMPORT_KIND_TABLE:
      reader.byte();
      readLimitsMinimum(reader);
      return;
    case IMPORT_KIND_GLOBAL:
      reader.skip(2);
      return;
    case IMPORT_KIND_TAG:
      reader.byte();
      reader.leb();
      return;
    default:
      throw new RangeError(`unknown import kind ${kind}`);
  }
}

function readLimitsMinimum(reader: ByteReader): number {
  const flags = reader.byte();
  const minimum = reader.leb();
  if ((flags & LIMITS_HAS_MAXIMUM) !== 0) reader.leb();
  return minimum;
}

class ByteReader {
  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  atEnd(): boolean {
    return this.offset >= this.bytes.length;
  }

  byte(): number {
    const value = this.bytes[this.offset++];
    if (value === undefined) throw new RangeError("unexpected end of the Wasm module");
    return value;
  }

  skip(count: number): void {
    this.offset += count;
  }

  /** Unsigned LEB128 (sizes and limits never exceed 2^53 in a module we can load). */
  leb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }
}
