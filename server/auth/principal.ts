// Who is calling: a console user by login session or API token, or the host's own CLI.
import type { Role } from './roles.js';

export interface Principal {
  /** null for the local CLI, which acts as the host's administrator without a user record. */
  userId: string | null;
  name: string;
  role: Role;
  via: 'session' | 'token' | 'cli';
  /** The login session's id (a hash, never the cookie), when via is "session". */
  sessionId?: string;
  /** Compared with the x-csrf-token header of every state-changing browser request. */
  csrfToken?: string;
  tokenId?: string;
}
