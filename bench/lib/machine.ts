// What the numbers were measured on; printed before the run and kept in every result file.

import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  loadAverage: number[];
  date: string;
  /** The commit measured, with `+dirty` when src/ had uncommitted changes. */
  revision: string;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    date: new Date().toISOString(),
    revision: revision(),
  };
}

function revision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function machineNote(machine: MachineInfo): string {
  const shared =
    machine.cpus <= 2
      ? `only ${machine.cpus} cores, shared by autocannon (one core) and the server under test: ` +
        'a fast server ties with the others on req/s once autocannon saturates its core, so compare CPU µs per request too'
      : `${machine.cpus} cores; autocannon and the server still share them`;
  return (
    `Machine: ${machine.cpuModel}, ${shared}. ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. ` +
    `Commit ${machine.revision}. Load average at start: ${machine.loadAverage.join(' ')}${machine.loadAverage[0]! > 0.5 ? ' (not quiet: numbers are noisy)' : ''}.`
  );
}
