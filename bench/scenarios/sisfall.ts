/**
 * Reader for the SisFall development subset (Sucerquia, López, Vargas-Bonilla, Sensors 2017, 17(1):198).
 * The files are read at run time from the shared data folder and never copied into the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Vec3 } from '../../geo/accel';

export const SISFALL_HZ = 200;
/** ADXL345: 13 bits over ±16 g, so g = count × (2 × 16) / 2^13. */
const ADXL345_G_PER_COUNT = 32 / 8192;

export interface SisFallTrial {
  file: string;
  subject: string;
  elderly: boolean;
  activity: string;
  fall: boolean;
  description: string;
}

/** SISFALL_DIR, or shared/data/sisfall-dev beside the checkout or any folder above it (a worktree sits deeper). */
export function sisfallDir(): string {
  if (process.env.SISFALL_DIR) return process.env.SISFALL_DIR;
  let dir = join(import.meta.dirname, '../..');
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, '..', 'shared/data/sisfall-dev');
    if (existsSync(join(candidate, 'manifest.csv'))) return candidate;
    dir = join(dir, '..');
  }
  return join(import.meta.dirname, '../../../shared/data/sisfall-dev');
}

export function hasSisFall(dir = sisfallDir()): boolean {
  return existsSync(join(dir, 'manifest.csv'));
}

/** Split one CSV line, honouring double quotes. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function readManifest(dir = sisfallDir()): SisFallTrial[] {
  const lines = readFileSync(join(dir, 'manifest.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  const header = csvFields(lines[0]);
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = csvFields(line);
    const subject = f[col('subject')];
    return {
      file: f[col('file')],
      subject,
      elderly: subject.startsWith('SE'),
      activity: f[col('activity_code')],
      fall: f[col('label')] === 'fall',
      description: f[col('activity_description')],
    };
  });
}

/** The ADXL345 samples of one trial in g, at 200 Hz. */
export function readTrial(trial: SisFallTrial, dir = sisfallDir()): Vec3[] {
  const text = gunzipSync(readFileSync(join(dir, trial.file))).toString('utf8');
  const out: Vec3[] = [];
  for (const row of text.split('\n')) {
    const cols = row.split(',');
    if (cols.length < 3) continue;
    const x = Number.parseInt(cols[0], 10);
    const y = Number.parseInt(cols[1], 10);
    const z = Number.parseInt(cols[2], 10);
    if (Number.isNaN(x) || Number.isNaN(y) || Number.isNaN(z)) continue;
    out.push([x * ADXL345_G_PER_COUNT, y * ADXL345_G_PER_COUNT, z * ADXL345_G_PER_COUNT]);
  }
  return out;
}
