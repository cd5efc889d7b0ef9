// Reading and immutably writing a nested form value by its dotted path ("containers.0.rootFs").

export function getIn(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

export function setIn<T>(value: T, path: string, next: unknown): T {
  const [key, ...rest] = path.split('.');
  const child = rest.length ? setIn((value as Record<string, unknown>)[key!], rest.join('.'), next) : next;
  if (Array.isArray(value)) return value.map((item, i) => (String(i) === key ? child : item)) as T;
  return { ...(value as object), [key!]: child } as T;
}
