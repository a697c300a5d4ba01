// JSON with a path param and an injected service; a POST with a validated body, as JSON or a form.

import { Controller, Get, HttpError, Post, type HttpRequest, type HttpResponse } from 'httppool';
import { CreateUserDto } from './create-user.dto';
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

  /** `POST /api/users` with `{ "name": "Ada" }` (or the form `name=Ada`): 201 with the new user; 400 with details for a bad body. */
  @Post('/users', { body: CreateUserDto, bodyTypes: ['json', 'form'] })
  create(res: HttpResponse, req: HttpRequest<CreateUserDto>): User {
    res.statusCode = 201;
    return this.users.create(req.body.name, req.body.email);
  }
}
