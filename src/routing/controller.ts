// @Controller: marks a class as a controller and makes it injectable.

import { injectable } from 'tsyringe';
import { defineController, type Constructor } from './route-metadata';

/**
 * Marks a class as a controller: its `@Route` methods are served under
 * `prefix`, and its constructor parameters are injected by type.
 *
 * @example
 * @Controller('/api')
 * class UserController {
 *   constructor(private readonly users: UserService) {}
 *   @Get('/users/:id') user(res: HttpResponse, req: HttpRequest) { return this.users.find(req.params.id); }
 * }
 */
export function Controller(prefix = ''): ClassDecorator {
  return (target) => {
    const ctor = target as unknown as Constructor;
    injectable()(ctor);
    defineController(ctor, { prefix });
  };
}
