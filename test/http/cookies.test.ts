// Cookies: req.cookies and req.signedCookies read from the Cookie header;
// res.setCookie() and res.clearCookie() append Set-Cookie lines; signed
// cookies with secret rotation. On app.server, on a plain node server through
// app.dispatch (node's own response class), and through inject().

import { expect } from 'chai';
import { sign } from 'cookie-signature';
import { Controller, Get, HttpPoolApp, type HttpRequest, type HttpResponse } from '../../src/index';
import { serverModes, type ServedApp } from '../helpers/server-modes';
import { rejectionOf } from '../helpers/wait-for';

const SECRET = 'a secret of sixteen or more';
const OLD_SECRET = 'the secret we used last year';

@Controller()
class CookieController {
  @Get('/read')
  read(_res: HttpResponse, req: HttpRequest) {
    return { cookies: { ...req.cookies }, signed: { ...req.signedCookies } };
  }

  @Get('/set')
  set(res: HttpResponse) {
    res.setCookie('theme', 'dark mode', { httpOnly: true, sameSite: 'lax', maxAge: 3600 });
    res.setCookie('session', 'abc123', { signed: true, secure: true });
    return 'set';
  }

  @Get('/clear')
  clear(res: HttpResponse) {
    res.clearCookie('theme', { path: '/' });
    return 'cleared';
  }

  @Get('/bad-name')
  badName(res: HttpResponse) {
    res.setCookie('bad name', 'x');
    return 'unreachable';
  }
}

@Controller()
class UnsignedController {
  @Get('/sign')
  signIt(res: HttpResponse) {
    res.setCookie('session', 'abc123', { signed: true });
    return 'unreachable';
  }
}

/** The Set-Cookie lines of a response. */
function setCookies(res: Response): string[] {
  return res.headers.getSetCookie();
}

for (const mode of serverModes) {
  describe(`cookies (${mode.name})`, () => {
    let served: ServedApp | undefined;
    afterEach(async () => {
      await served?.close();
      served = undefined;
    });
    const serve = async (secret: string | readonly string[] = SECRET): Promise<string> => {
      served = await mode.serve({ controllers: [CookieController], cookies: { secret } });
      return served.url;
    };

    it('are parsed from the Cookie header, decoded; none is an empty object', async () => {
      const url = await serve();
      const some = await fetch(`${url}/read`, { headers: { cookie: 'a=1; theme=dark%20mode; empty=' } });
      expect(await some.json()).to.deep.equal({ cookies: { a: '1', theme: 'dark mode', empty: '' }, signed: {} });
      const none = await fetch(`${url}/read`);
      expect(await none.json()).to.deep.equal({ cookies: {}, signed: {} });
    });

    it('are set with their attributes, path / by default, one Set-Cookie line each', async () => {
      const url = await serve();
      const res = await fetch(`${url}/set`);
      expect(await res.text()).to.equal('set');
      const [theme, session, ...rest] = setCookies(res);
      expect(rest).to.deep.equal([]);
      expect(theme).to.equal('theme=dark%20mode; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax');
      expect(session).to.equal(`session=${encodeURIComponent(`s:${sign('abc123', SECRET)}`)}; Path=/; Secure`);
    });

    it('signed ones come back verified in req.signedCookies; a tampered one is false', async () => {
      const url = await serve();
      const issued = setCookies(await fetch(`${url}/set`));
      const cookieHeader = issued.map((line) => line.split(';')[0]).join('; ');
      const back = await fetch(`${url}/read`, { headers: { cookie: cookieHeader } });
      expect(await back.json()).to.deep.equal({ cookies: { theme: 'dark mode' }, signed: { session: 'abc123' } });
      const tampered = `session=${encodeURIComponent(`s:${sign('admin', 'not the secret at all')}`)}`;
      const forged = await fetch(`${url}/read`, { headers: { cookie: tampered } });
      expect(await forged.json()).to.deep.equal({ cookies: {}, signed: { session: false } });
    });

    it('a list of secrets: the first signs, every one verifies (rotation)', async () => {
      const url = await serve([SECRET, OLD_SECRET]);
      const old = `session=${encodeURIComponent(`s:${sign('from last year', OLD_SECRET)}`)}`;
      const res = await fetch(`${url}/read`, { headers: { cookie: old } });
      expect(await res.json()).to.deep.equal({ cookies: {}, signed: { session: 'from last year' } });
      const fresh = setCookies(await fetch(`${url}/set`))[1];
      expect(fresh).to.contain(encodeURIComponent(`s:${sign('abc123', SECRET)}`));
    });

    it('clearCookie expires it', async () => {
      const url = await serve();
      const res = await fetch(`${url}/clear`);
      expect(setCookies(res)).to.deep.equal(['theme=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    });

    it('a name the cookie package refuses is a 500 from the handler, not a crash', async () => {
      const url = await serve();
      const res = await fetch(`${url}/bad-name`);
      expect(res.status).to.equal(500);
      expect(setCookies(res)).to.deep.equal([]);
      expect((await fetch(`${url}/read`)).status, 'the server still serves').to.equal(200);
    });
  });
}

describe('cookies without a secret', () => {
  it('are all in req.cookies (signed ones unchecked), and signing one is a 500', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [CookieController, UnsignedController], logger: false });
    try {
      const signedLooking = `s:${sign('abc', SECRET)}`;
      const read = await app.inject({
        url: '/read',
        headers: { cookie: `session=${encodeURIComponent(signedLooking)}` },
      });
      expect(read.json()).to.deep.equal({ cookies: { session: signedLooking }, signed: {} });
      const signing = await app.inject({ url: '/sign' });
      expect(signing.statusCode).to.equal(500);
    } finally {
      await app.close();
    }
  });

  it('refuses a cookies option without a usable secret', async () => {
    for (const [value, message] of [
      [{}, /cookies.secret" must be a string or a non-empty list/],
      [{ secret: [] }, /non-empty list/],
      [{ secret: 'short' }, /at least 16 characters/],
      [{ secret: SECRET, sign: true }, /Unknown option "cookies.sign"/],
      ['secret', /must be \{ secret \}/],
    ] as const) {
      expect(
        ((await rejectionOf(HttpPoolApp.bootstrap({ cookies: value as { secret: string }, logger: false }))) as Error)
          .message,
        JSON.stringify(value),
      ).to.match(message);
    }
  });
});
