// Node only: one server per embedded database. Two PGlite instances on one folder would corrupt it,
// so the folder holds a lock file with the owner's process id; a second server refuses to start,
// and a lock left by a process that no longer runs is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the folder's lock; returns its release. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'server.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && alive(owner))
        throw new DataDirBusyError(
          `another server (process ${owner}) is using the embedded database in ${dir}: stop it, or give this one its own DATA_DIR`,
        );
      rmSync(file, { force: true }); // left by a process that has ended
    }
  }
  throw new DataDirBusyError(`could not lock ${dir}`);
}
