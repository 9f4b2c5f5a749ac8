/**
 * The last minutes of one tag's fixes, oldest first, in typed arrays (41 bytes a fix, no object per
 * fix): thousands of tags at 1–10 Hz keep two minutes each in tens of megabytes. Each entry remembers
 * whether it is already a track row, so an alert writes only the fixes compression left out.
 */
export interface RingEntry {
  ts: number;
  x: number;
  y: number;
  /** NaN: none */
  z: number;
  /** Interned floor id (the recorder's table). */
  floor: number;
  /** Zone index in the ZoneIndex, -1: none. */
  zone: number;
  /** 0: none, else FIX_EVENTS index + 1 */
  event: number;
}

const WRITTEN = 1;

export class FixRing {
  private cap: number;
  private head = 0;
  private size = 0;
  /** ts, x, y, z per entry */
  private num: Float64Array;
  /** floor, zone per entry */
  private ref: Int32Array;
  /** bit 0 written, bits 1.. event */
  private flags: Uint8Array;

  constructor(
    initial = 16,
    /** Beyond this many entries the oldest is overwritten (a tag reporting far above 10 Hz). */
    readonly maxEntries = 4096,
  ) {
    this.cap = Math.max(1, Math.min(initial, maxEntries));
    this.num = new Float64Array(this.cap * 4);
    this.ref = new Int32Array(this.cap * 2);
    this.flags = new Uint8Array(this.cap);
  }

  get length(): number {
    return this.size;
  }

  push(e: RingEntry, written: boolean): void {
    this.add(e.ts, e.x, e.y, e.z, e.floor, e.zone, e.event, written);
  }

  /** `push` without an object per fix (the recorder's hot path). */
  add(ts: number, x: number, y: number, z: number, floor: number, zone: number, event: number, written: boolean): void {
    if (this.size === this.cap) {
      if (this.cap < this.maxEntries) this.grow(Math.min(this.cap * 2, this.maxEntries));
      else {
        this.head = (this.head + 1) % this.cap;
        this.size--;
      }
    }
    const i = (this.head + this.size) % this.cap;
    this.num[i * 4] = ts;
    this.num[i * 4 + 1] = x;
    this.num[i * 4 + 2] = y;
    this.num[i * 4 + 3] = z;
    this.ref[i * 2] = floor;
    this.ref[i * 2 + 1] = zone;
    this.flags[i] = (event << 1) | (written ? WRITTEN : 0);
    this.size++;
  }

  /** Forgets entries with ts < minTs at the old end. */
  trim(minTs: number): void {
    while (this.size > 0 && this.num[this.head * 4] < minTs) {
      this.head = (this.head + 1) % this.cap;
      this.size--;
    }
  }

  /** Entries with ts >= since that are not rows yet, oldest first; marks them written. */
  takeUnwritten(since: number, fn: (e: RingEntry) => void): void {
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) % this.cap;
      if (this.flags[i] & WRITTEN || this.num[i * 4] < since) continue;
      this.flags[i] |= WRITTEN;
      fn({
        ts: this.num[i * 4],
        x: this.num[i * 4 + 1],
        y: this.num[i * 4 + 2],
        z: this.num[i * 4 + 3],
        floor: this.ref[i * 2],
        zone: this.ref[i * 2 + 1],
        event: this.flags[i] >> 1,
      });
    }
  }

  private grow(cap: number): void {
    const num = new Float64Array(cap * 4);
    const ref = new Int32Array(cap * 2);
    const flags = new Uint8Array(cap);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) % this.cap;
      num.set(this.num.subarray(i * 4, i * 4 + 4), k * 4);
      ref[k * 2] = this.ref[i * 2];
      ref[k * 2 + 1] = this.ref[i * 2 + 1];
      flags[k] = this.flags[i];
    }
    this.num = num;
    this.ref = ref;
    this.flags = flags;
    this.cap = cap;
    this.head = 0;
  }
}
