// Turns raw flag strings into config fields. Nothing here judges values: the engine's zod schemas
// do, and name the field at fault (a non-number `--memory` arrives as NaN, not as a silent 0).
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { EngineError } from '../engine/errors.js';

/** Commander parser for repeatable flags: `--env A=1 --env B=2` → ['A=1', 'B=2']. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Splits at the first `separator`; the right side is undefined when there is none. */
export function splitAt(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

export const toNumber = (text: string | undefined): number | undefined =>
  text === undefined ? undefined : text.trim() === '' ? Number.NaN : Number(text);

/** An empty list means "not given", so it must not replace a list loaded from --config. */
export const given = <T>(list: T[] | undefined): T[] | undefined => (list?.length ? list : undefined);

/** `k=v` pairs → a record; a pair without `=` leaves the value undefined for the schema to reject. */
export const toRecord = (pairs: string[] | undefined): Record<string, string | undefined> | undefined =>
  pairs && Object.fromEntries(pairs.map((pair) => splitAt(pair, '=')));

export const toParam = (pair: string) => {
  const [key, value] = splitAt(pair, '=');
  return { key, value };
};

export const toEnvVar = (pair: string) => {
  const [name, value] = splitAt(pair, '=');
  return { var: name, value };
};

/** For flags the engine has no schema for (`--limit`): a usage error, exit code 2. */
export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merges `over` onto `base`: objects merge key by key, arrays and scalars replace, undefined keeps `base`. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeConfig(base[key], value);
  return merged;
}

/** Loads a --config file: a JSON object, validated later by the engine like any other input. */
export async function readConfigFile(file: string | undefined): Promise<Record<string, unknown>> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EngineError('INVALID_ARGUMENT', `Cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new EngineError('INVALID_CONFIG', `Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new EngineError('INVALID_CONFIG', `Config file ${file} must hold a JSON object`);
  return parsed;
}
