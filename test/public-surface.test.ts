// The shipped declarations carry the public surface only: link fields and
// other `@internal` members are stripped (tsconfig `stripInternal`), and the
// types a user needs to name are exported from the index.

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const dist = path.resolve(__dirname, '..', 'src');

/** Members declared by a class or interface in one shipped .d.ts file. */
function membersOf(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(dist, file), 'utf8'), ts.ScriptTarget.ES2022);
  for (const statement of source.statements) {
    if ((ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement)) && statement.name?.text === name) {
      const members: ts.NodeArray<ts.ClassElement | ts.TypeElement> = statement.members;
      return members.map((member) => member.name?.getText(source) ?? '').filter((text) => text !== '');
    }
  }
  throw new Error(`${name} is not declared in ${file}`);
}

describe('the shipped declarations', () => {
  for (const [file, name] of [
    ['jobs/linked-list.d.ts', 'QueueItem'],
    ['jobs/linked-list.d.ts', 'ListNode'],
    ['jobs/worker-pool.d.ts', 'PoolJob'],
    ['jobs/http-job.d.ts', 'HttpJob'],
  ] as const) {
    it(`${name} carries no list links or queue bookkeeping`, () => {
      const members = membersOf(file, name);
      expect(members.length).to.be.greaterThan(0);
      for (const internal of ['prev', 'next', 'list', 'queueEntry', 'deadline'])
        expect(members).to.not.include(internal);
    });
  }

  it('export the type behind HTTPPOOL_OPTIONS and the option types it names', () => {
    const index = readFileSync(path.join(dist, 'index.d.ts'), 'utf8');
    for (const name of [
      'ResolvedOptions',
      'MetricsOptions',
      'ResolvedStaticMount',
      'ResolvedStaticCache',
      // The statusPage option, and the frames its event stream carries, for a client of its own.
      'StatusPageOptions',
      'ResolvedStatusPage',
      'StatusFrame',
      'StatusSample',
    ])
      expect(index).to.match(new RegExp(`\\b${name}\\b`));
  });
});
