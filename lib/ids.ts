import { randomBytes } from "node:crypto";

let lastMs = 0;
let seq = 0;

/**
 * UUIDv7 (RFC 9562 §5.7): time-ordered, so rows sort by creation with their primary key and the audit
 * log keeps a stable order within one millisecond. A 12-bit counter keeps ids monotonic per process.
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.7
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    seq++;
    if (seq > 0xfff) {
      lastMs++;
      seq = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
