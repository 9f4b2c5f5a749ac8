/**
 * The replay's clock as a pure reducer: a time inside [start, end], playing or paused, at one of the speeds.
 * The screen advances it from requestAnimationFrame with the real time elapsed; nothing here reads a clock.
 */
export const SPEEDS = [1, 2, 5, 10, 30, 60] as const;
export type Speed = (typeof SPEEDS)[number];

export interface Playback {
  start: number;
  end: number;
  time: number;
  playing: boolean;
  speed: Speed;
}

export type PlaybackAction =
  | { type: 'seek'; time: number }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'toggle' }
  /** Real milliseconds have passed: move on by `dtMs` × speed; stop at the end. */
  | { type: 'advance'; dtMs: number }
  | { type: 'speed'; speed: Speed };

export function initialPlayback(start: number, end: number, time = start, speed: Speed = 10): Playback {
  const e = Math.max(start, end);
  return { start, end: e, time: clamp(time, start, e), playing: false, speed };
}

export function playback(p: Playback, a: PlaybackAction): Playback {
  switch (a.type) {
    case 'seek': {
      const time = clamp(a.time, p.start, p.end);
      return time === p.time ? p : { ...p, time };
    }
    case 'play':
      if (p.playing) return p;
      // play at the end means "again from the start"
      return { ...p, playing: true, time: p.time >= p.end ? p.start : p.time };
    case 'pause':
      return p.playing ? { ...p, playing: false } : p;
    case 'toggle':
      return playback(p, { type: p.playing ? 'pause' : 'play' });
    case 'advance': {
      if (!p.playing || !(a.dtMs > 0)) return p;
      const time = Math.min(p.end, p.time + a.dtMs * p.speed);
      return { ...p, time, playing: time < p.end };
    }
    case 'speed':
      return SPEEDS.includes(a.speed) && a.speed !== p.speed ? { ...p, speed: a.speed } : p;
  }
}

/** Position of `ts` along the timeline, 0..1 (outside the window clamps to its edges). */
export function fraction(p: Pick<Playback, 'start' | 'end'>, ts: number): number {
  const span = p.end - p.start;
  return span > 0 ? clamp((ts - p.start) / span, 0, 1) : 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
