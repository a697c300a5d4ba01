// Hosts for the nginx test: one network namespace per instance, joined to
// this one by a veth pair (10.213.<n>.1 here, 10.213.<n>.2 there), so each
// instance is a machine of its own as far as nginx can tell. Where
// namespaces cannot be made (not root, no `ip`), every host is 127.0.0.1 and
// only the ports differ; `kind` says which ran.

import { execFileSync } from 'node:child_process';

export interface TestHost {
  /** The address an instance on this host listens on and nginx sends to. */
  address: string;
  /** The command prefix that runs a program on this host (empty on loopback). */
  exec: string[];
}

export interface TestHosts {
  kind: 'network namespaces' | 'loopback';
  /** Why namespaces could not be made, on loopback. */
  reason?: string;
  hosts: TestHost[];
  /** Removes the namespaces (and with them the veth pairs). */
  remove: () => void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestHosts(count: number): TestHosts {
  const made: string[] = [];
  const remove = (): void => {
    for (const namespace of made.splice(0)) {
      try {
        ip('netns', 'del', namespace);
      } catch {
        // already gone
      }
    }
  };
  // Distinct per run, so two runs on one machine do not collide.
  const tag = process.pid % 10_000;
  const base = 10 + (process.pid % 200);
  try {
    const hosts = Array.from({ length: count }, (_unused, index): TestHost => {
      const namespace = `hp${tag}n${index}`;
      const outside = `hp${tag}h${index}`;
      const inside = `hp${tag}i${index}`;
      const subnet = `10.213.${base + index}`;
      ip('netns', 'add', namespace);
      made.push(namespace);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', namespace);
      ip('addr', 'add', `${subnet}.1/30`, 'dev', outside);
      ip('link', 'set', outside, 'up');
      ip('netns', 'exec', namespace, 'ip', 'addr', 'add', `${subnet}.2/30`, 'dev', inside);
      ip('netns', 'exec', namespace, 'ip', 'link', 'set', inside, 'up');
      ip('netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up');
      return { address: `${subnet}.2`, exec: ['ip', 'netns', 'exec', namespace] };
    });
    return { kind: 'network namespaces', hosts, remove };
  } catch (error) {
    remove();
    const reason = String((error as { stderr?: Buffer }).stderr ?? error).trim();
    const hosts = Array.from({ length: count }, (): TestHost => ({ address: '127.0.0.1', exec: [] }));
    return { kind: 'loopback', reason, hosts, remove };
  }
}
