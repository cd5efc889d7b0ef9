// Where to go after logging in: the `next` the login gate passed, if it is a path on this site.
// "//host" and "/\host" are other sites to a browser, so only "/" followed by anything else passes.
export function safeNextPath(next: string | string[] | undefined): string {
  const path = Array.isArray(next) ? next[0] : next;
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\') || /[\u0000-\u001f]/.test(path)) return '/';
  return path;
}
