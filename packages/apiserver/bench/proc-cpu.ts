// A process's CPU time so far, from /proc: what a server spent on the requests of a run, whatever
// else the machine runs. Used by the benchmarks that compare two ways of serving the same requests.
import { readFileSync } from 'node:fs';

/** User + system CPU time of process `pid` so far, in ms (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
