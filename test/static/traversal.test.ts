// No byte from outside the root: every traversal trick over raw sockets (fetch
// would normalise the path), symlinks leading out, and hidden dotfiles.

import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseResponse, rawRequest } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { tempFolders } from './fixtures';

const SECRET = 'TOP SECRET';

describe('static: nothing outside the root', () => {
  const makeFolder = tempFolders();
  const startApp = appStarter({ scope: 'all' });
  let outer: string;
  let port: number;

  async function fetchRaw(target: string) {
    const text = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(text).to.not.include(SECRET);
    return parseResponse(text);
  }

  before(async () => {
    outer = await makeFolder({
      'secret.txt': SECRET,
      'private/p.txt': SECRET,
      'pub-secret/file.txt': SECRET,
      'pub/ok.txt': 'ok',
      'pub/.env': SECRET,
      'pub/.hidden/x.txt': SECRET,
      'pub/css/site.css': 'a{}',
    });
    const root = path.join(outer, 'pub');
    await fs.symlink(path.join(outer, 'secret.txt'), path.join(root, 'link-out.txt'));
    await fs.symlink('../secret.txt', path.join(root, 'relative-out.txt'));
    await fs.symlink(path.join(outer, 'private'), path.join(root, 'dir-out'));
    await fs.symlink(path.join(outer, 'pub-secret', 'file.txt'), path.join(root, 'link-sibling.txt'));
    await fs.symlink(path.join(root, 'ok.txt'), path.join(root, 'link-in.txt'));
    ({ port } = await startApp({
      static: [
        { prefix: '/public', root },
        { prefix: '/dot', root, dotfiles: 'allow' },
      ],
    }));
  });

  const traversals = [
    '/public/../secret.txt',
    '/public/../../../../etc/passwd',
    '/public/css/../../secret.txt',
    '/public/%2e%2e/secret.txt',
    '/public/%2E%2E/secret.txt',
    '/public/.%2e/secret.txt',
    '/public/css/%2e%2e/%2e%2e/secret.txt',
    '/public/..%2fsecret.txt',
    '/public/..%2Fsecret.txt',
    '/public/%2e%2e%2fsecret.txt',
    '/public/..%5csecret.txt',
    '/public/..%5Csecret.txt',
    '/public/ok.txt%00.png',
    '/public/ok.txt%00',
    '/public/%00/../secret.txt',
    '/public//etc/passwd',
    '/public/%2fetc%2fpasswd',
    '/public/%252e%252e/secret.txt',
    '/public/./ok.txt',
  ];
  for (const target of traversals) {
    it(`GET ${target} → 404`, async () => {
      const answer = await fetchRaw(target);
      expect(answer.statusCode).to.equal(404);
      expect(answer.headers['content-type']).to.match(/^application\/json/);
    });
  }

  it('GET /public/<the absolute path of a file outside> → 404', async () => {
    expect((await fetchRaw(`/public/${path.join(outer, 'secret.txt')}`)).statusCode).to.equal(404);
    expect((await fetchRaw(`/public${path.join(outer, 'secret.txt')}`)).statusCode).to.equal(404);
  });

  it('GET /public/..\\secret.txt (a raw backslash) → 404', async () => {
    expect((await fetchRaw('/public/..\\secret.txt')).statusCode).to.equal(404);
  });

  it('an overlong UTF-8 dot (%c0%ae) is bad encoding: 400', async () => {
    expect((await fetchRaw('/public/%c0%ae%c0%ae/secret.txt')).statusCode).to.equal(400);
  });

  it('an absolute-form request target is not under the mount', async () => {
    expect((await fetchRaw('http://127.0.0.1/public/../secret.txt')).statusCode).to.equal(404);
  });

  for (const link of ['link-out.txt', 'relative-out.txt', 'dir-out/p.txt', 'link-sibling.txt']) {
    it(`a symlink leading out of the root (${link}) → 404`, async () => {
      expect((await fetchRaw(`/public/${link}`)).statusCode).to.equal(404);
    });
  }

  it('a symlink that stays inside the root is served', async () => {
    const answer = await fetchRaw('/public/link-in.txt');
    expect(answer.statusCode).to.equal(200);
    expect(answer.body).to.equal('ok');
  });

  it('a path that would reach a cached file by way of .. is still 404', async () => {
    expect((await fetchRaw('/public/ok.txt')).statusCode).to.equal(200);
    expect((await fetchRaw('/public/css/../ok.txt')).statusCode).to.equal(404);
    expect((await fetchRaw('/public/css/%2e%2e/ok.txt')).statusCode).to.equal(404);
  });

  describe('dotfiles', () => {
    for (const target of ['/public/.env', '/public/%2eenv', '/public/.hidden/x.txt', '/public/.hidden/']) {
      it(`are hidden by default: GET ${target} → 404`, async () => {
        expect((await fetchRaw(target)).statusCode).to.equal(404);
      });
    }

    it('are served by a mount with dotfiles: allow, which still refuses ..', async () => {
      const answer = await rawRequest(port, 'GET /dot/.env HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(parseResponse(answer).statusCode).to.equal(200);
      expect(parseResponse(answer).body).to.equal(SECRET);
      expect((await fetchRaw('/dot/../secret.txt')).statusCode).to.equal(404);
      expect((await fetchRaw('/dot/link-out.txt')).statusCode).to.equal(404);
    });
  });
});
