/**
 * One process per data directory: two appending to the same files would interleave blocks.
 *
 * `<dir>/LOCK` holds "<pid> <start time>" of its owner. A LOCK whose owner is gone is taken over at
 * once, and "gone" covers three cases a bare `kill(pid, 0)` gets wrong:
 *   - the owner was killed (kill -9) and is a zombie its parent has not reaped yet: `kill(pid, 0)`
 *     still succeeds, but /proc says Z (or X);
 *   - the pid was reused by an unrelated process since: its start time differs from the one recorded;
 *   - no such pid at all (ESRCH).
 * A quick restart after kill -9 therefore never waits for the reaper.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Directories open in this process (the LOCK file guards against other processes). */
const openDirs = new Set<string>();

export async function lockDir(dir: string): Promise<void> {
  if (openDirs.has(dir)) throw new Error(`${dir} is already open in this process`);
  const path = join(dir, 'LOCK');
  const me = `${process.pid} ${startTime(process.pid) ?? ''}`.trim();
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(me);
      await fh.close();
      openDirs.add(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 5) throw e;
    }
    const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
    if (owner && owner.pid !== process.pid && ownerAlive(owner)) throw new Error(`${dir} is in use by process ${owner.pid}`);
    await rm(path, { force: true });
  }
}

export async function unlockDir(dir: string): Promise<void> {
  openDirs.delete(dir);
  await rm(join(dir, 'LOCK'), { force: true });
}

interface Owner {
  pid: number;
  /** Clock ticks after boot (field 22 of /proc/<pid>/stat); null in a LOCK written without it. */
  start: number | null;
}

export function parseOwner(text: string): Owner | null {
  const [pid, start] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, start: Number.isInteger(start) && start > 0 ? start : null };
}

function ownerAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(owner.pid);
  // no /proc (not Linux): the signal test is all there is
  if (stat === null) return true;
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return false;
  return owner.start === null || stat.start === owner.start;
}

function startTime(pid: number): number | null {
  return procStat(pid)?.start ?? null;
}

/** State letter and start time from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function procStat(pid: number): { state: string; start: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19]
  return { state: rest[0] ?? '', start: Number(rest[19]) };
}
