/**
 * The audible alarm, synthesised with WebAudio (no audio files). Browsers keep audio muted until the user has
 * interacted with the page, so `unlock()` must run inside a user gesture before anything can sound.
 * Patterns follow the spirit of IEC 60601-1-8: a fast burst for critical, a slower two-tone for high.
 */
export type AlarmLevel = 'critical' | 'high';

interface Pattern {
  /** [frequency Hz, start s, duration s] within one cycle */
  beeps: [number, number, number][];
  cycleS: number;
}

const PATTERNS: Record<AlarmLevel, Pattern> = {
  critical: {
    beeps: [
      [988, 0, 0.12],
      [988, 0.2, 0.12],
      [988, 0.4, 0.12],
      [988, 0.8, 0.12],
      [988, 1.0, 0.12],
    ],
    cycleS: 2.2,
  },
  high: {
    beeps: [
      [880, 0, 0.2],
      [660, 0.3, 0.2],
    ],
    cycleS: 1.8,
  },
};

const VOLUME = 0.35;

export class AlarmSound {
  private ctx: AudioContext | null = null;
  private level: AlarmLevel | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private nextCycleAt = 0;

  /** Create or resume the audio context; call from a user gesture. True when audio can play. */
  unlock(): boolean {
    try {
      const Ctor =
        window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!Ctor) return false;
      this.ctx ??= new Ctor();
      if (this.ctx.state === 'suspended') void this.ctx.resume();
      return true;
    } catch {
      return false;
    }
  }

  get unlocked(): boolean {
    return this.ctx !== null;
  }

  /** Sound `level` continuously until called with null. */
  setLevel(level: AlarmLevel | null): void {
    if (level === this.level) return;
    this.level = level;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!level || !this.ctx) return;
    this.nextCycleAt = this.ctx.currentTime + 0.05;
    this.schedule();
    this.timer = setInterval(() => this.schedule(), 250);
  }

  /** A short confirmation chirp, so the user hears that sound works when turning it on. */
  chirp(): void {
    if (!this.ctx) return;
    this.beep(1320, this.ctx.currentTime + 0.02, 0.08, 0.2);
  }

  private schedule(): void {
    const ctx = this.ctx;
    if (!ctx || !this.level) return;
    const pattern = PATTERNS[this.level];
    // keep half a second of sound scheduled ahead; timers in background tabs are throttled
    while (this.nextCycleAt < ctx.currentTime + 0.5) {
      for (const [freq, start, dur] of pattern.beeps) this.beep(freq, this.nextCycleAt + start, dur, VOLUME);
      this.nextCycleAt += pattern.cycleS;
    }
  }

  private beep(freq: number, at: number, dur: number, volume: number): void {
    const ctx = this.ctx!;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(volume, at + 0.01);
    gain.gain.setValueAtTime(volume, at + dur - 0.02);
    gain.gain.linearRampToValueAtTime(0, at + dur);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + dur + 0.01);
  }

  dispose(): void {
    this.setLevel(null);
  }
}
