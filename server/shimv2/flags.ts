// The shim binary's command line, as containerd passes it (Go's flag package: one dash, value
// after a space or '='): `-namespace NS -address SOCK -publish-binary BIN -id ID [-bundle DIR]
// [-debug] start|delete`, plus our own `-socket PATH serve` for the daemon `start` leaves behind and `reap`
// for what `delete` leaves to do.
export interface ShimFlags {
  namespace: string;
  address: string;
  publishBinary: string;
  id: string;
  bundle: string;
  socket: string;
  debug: boolean;
  action: string;
}

const VALUE_FLAGS: Record<string, keyof ShimFlags> = { namespace: 'namespace', address: 'address', 'publish-binary': 'publishBinary', id: 'id', bundle: 'bundle', socket: 'socket' };
const BOOL_FLAGS = new Set(['debug', 'v']);

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export function parseShimFlags(argv: string[]): ShimFlags {
  const f: ShimFlags = { namespace: '', address: '', publishBinary: '', id: '', bundle: '', socket: '', debug: false, action: '' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      if (f.action) throw new FlagError(`unexpected argument "${arg}" after ${f.action}`);
      f.action = arg;
      continue;
    }
    const [name, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    if (BOOL_FLAGS.has(name)) {
      if (name === 'debug') f.debug = inline === undefined || inline === 'true';
      continue;
    }
    const key = VALUE_FLAGS[name];
    if (!key) throw new FlagError(`flag provided but not defined: -${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new FlagError(`flag needs an argument: -${name}`);
    (f as unknown as Record<string, string>)[key] = value;
  }
  if (!['start', 'delete', 'serve', 'reap'].includes(f.action)) throw new FlagError(f.action ? `unknown action "${f.action}"` : 'no action: start or delete');
  if (!f.id) throw new FlagError('-id is required');
  return f;
}
