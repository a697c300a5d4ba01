// A user service for the demo: injected by type into UserController.

import { injectable } from 'tsyringe';

export interface User {
  id: string;
  name: string;
  email?: string;
}

@injectable()
export class UserService {
  private readonly users = new Map<string, User>([
    ['1', { id: '1', name: 'Ada Lovelace' }],
    ['2', { id: '2', name: 'Alan Turing' }],
    ['3', { id: '3', name: 'Grace Hopper' }],
  ]);

  find(id: string): User | undefined {
    return this.users.get(id);
  }

  create(name: string, email?: string): User {
    const id = String(this.users.size + 1);
    const user: User = email === undefined ? { id, name } : { id, name, email };
    this.users.set(id, user);
    return user;
  }
}
