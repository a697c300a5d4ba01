// JSON with a path param and an injected service.

import { Controller, Get, HttpError, type HttpRequest, type HttpResponse } from 'httppool';
import { UserService, type User } from './user.service';

@Controller('/api')
export class UserController {
  constructor(private readonly users: UserService) {}

  @Get('/users/:id')
  user(_res: HttpResponse, req: HttpRequest): User {
    const user = this.users.find(req.params.id as string);
    if (user === undefined) throw new HttpError(404, `No user with id ${req.params.id}`);
    return user;
  }
}
