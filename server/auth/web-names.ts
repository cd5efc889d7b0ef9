// Names the browser and the server agree on; no imports, so client components can use them.
export const SESSION_COOKIE = 'pv_session';
/** Readable by the page's script, which echoes it in CSRF_HEADER; another site can do neither. */
export const CSRF_COOKIE = 'pv_csrf';
export const CSRF_HEADER = 'x-csrf-token';
