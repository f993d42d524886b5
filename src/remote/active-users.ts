// Who is logged in now (`/user active`): every console, SSH and API login adds itself and
// removes itself when it ends.

export interface ActiveLogin {
  readonly name: string;
  /** Where from: the peer's address, or the console's name ("serial /dev/ttyS1"). */
  readonly address: string;
  /** console, ssh, api, api-ssl. */
  readonly via: string;
  readonly when: Date;
}

export class ActiveUsers {
  private readonly logins = new Map<number, ActiveLogin>();
  private next = 1;

  /** Records a login; call the returned function when it ends. */
  add(login: ActiveLogin): () => void {
    const id = this.next++;
    this.logins.set(id, login);
    return () => void this.logins.delete(id);
  }

  list(): readonly (ActiveLogin & { readonly id: number })[] {
    return [...this.logins].map(([id, l]) => ({ id, ...l }));
  }
}
