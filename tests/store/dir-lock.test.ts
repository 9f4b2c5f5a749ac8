import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../server/store/embedded/index';

const HOLDER = fileURLToPath(new URL('./lock-holder.ts', import.meta.url));

const procState = (pid: number): string | null => {
  try {
    const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return t.slice(t.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return null;
  }
};

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the data directory lock', () => {
  let parent: ChildProcess | null = null;
  afterEach(() => {
    if (parent?.pid && parent.exitCode === null) process.kill(parent.pid, 'SIGKILL');
    parent = null;
  });

  it('is taken over at once after kill -9, even while the dead owner is a zombie not yet reaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-lock-'));
    // the holder's parent is `sleep`, which never reaps: the killed holder stays a zombie
    parent = spawn('sh', ['-c', `"${process.execPath}" --import tsx "${HOLDER}" "${dir}" & exec sleep 60`], { stdio: 'ignore' });
    const ownerPid = () => Number(readFileSync(join(dir, 'LOCK'), 'utf8').trim().split(/\s+/)[0]);
    await until('the holder to lock the directory', () => {
      try {
        return ownerPid() > 0;
      } catch {
        return false;
      }
    });
    const pid = ownerPid();
    await expect(EmbeddedStore.open(dir)).rejects.toThrow(`in use by process ${pid}`);
    process.kill(pid, 'SIGKILL');
    await until('the holder to be a zombie', () => procState(pid) === 'Z');
    const store = await EmbeddedStore.open(dir);
    expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toMatch(new RegExp(`^${process.pid}\\b`));
    await store.close();
  });

  it('is taken over when its pid now belongs to another process (started at another time)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-lock-'));
    parent = spawn('sleep', ['60'], { stdio: 'ignore' });
    await until('sleep to start', () => procState(parent!.pid!) !== null);
    writeFileSync(join(dir, 'LOCK'), `${parent.pid} 1`);
    const store = await EmbeddedStore.open(dir);
    await store.close();
  });

  it('still refuses a directory whose owner is alive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-lock-'));
    parent = spawn('sleep', ['60'], { stdio: 'ignore' });
    await until('sleep to start', () => procState(parent!.pid!) !== null);
    writeFileSync(join(dir, 'LOCK'), `${parent.pid}`);
    await expect(EmbeddedStore.open(dir)).rejects.toThrow(`in use by process ${parent.pid}`);
  });
});
