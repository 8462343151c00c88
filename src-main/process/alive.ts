/** Whether a process runs on this machine: the one check behind stale plan locks and stale engine discovery files. */

/** Whether process `pid` runs here (signal 0 checks without sending anything; EPERM: it runs, as someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
