// Lets a request through when it carries the admin token (`x-admin-token`,
// ADMIN_TOKEN in the environment, `demo` by default); asked before the request
// takes a worker, so a refused one costs the pool nothing.

import { HttpError, type CanActivate, type HttpRequest } from 'httppool';

export class AdminTokenGuard implements CanActivate {
  private readonly token = process.env.ADMIN_TOKEN ?? 'demo';

  canActivate(req: HttpRequest): boolean {
    const given = req.headers['x-admin-token'];
    if (given === undefined) {
      throw new HttpError(401, 'Send the admin token in x-admin-token', { headers: { 'www-authenticate': 'Token' } });
    }
    return given === this.token;
  }
}
