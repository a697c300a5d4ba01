// The threads scenario's CPU-bound step: pbkdf2 sized to ~5 ms on this machine's cores.
import { pbkdf2Sync } from 'node:crypto';

export const PBKDF2_ITERATIONS = 20_000;

export function cpuWork(): { digest: string } {
  return { digest: pbkdf2Sync('password', 'salt', PBKDF2_ITERATIONS, 32, 'sha256').toString('hex') };
}
