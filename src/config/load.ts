/** Loads a config file, applies --set overrides and validates; every failure is one NcfError line. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { NcfError } from '../util/errors.js';
import { configSchema, DEFAULTS, type Config } from './schema.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export function loadConfig(file: string | null, sets: string[] = []): Config {
  let raw: JsonObject = structuredClone(DEFAULTS) as unknown as JsonObject;
  if (file) {
    raw = merge(raw, readJsonObject(file));
    if (!('name' in readJsonObject(file))) raw.name = basename(file).replace(/\.json$/, '');
  }
  for (const s of sets) applySet(raw, s);
  return validateConfig(raw);
}

export function validateConfig(raw: unknown): Config {
  const r = configSchema.safeParse(raw);
  if (!r.success) throw new NcfError(`invalid config: ${describeIssue(r.error.issues[0], raw)}`);
  return Object.freeze(r.data) as Config;
}

function readJsonObject(file: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new NcfError(`config file ${file} not found`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new NcfError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(v)) throw new NcfError(`config file ${file} must hold a JSON object`);
  return v;
}

/** `a.b.c=value`: value parsed as JSON when it is JSON (numbers, booleans, null, arrays), else a string. */
export function applySet(raw: JsonObject, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new NcfError(`--set expects key=value, got "${assignment}"`);
  const path = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    value = text;
  }
  let node: JsonObject = raw;
  for (let k = 0; k < path.length - 1; k++) {
    const next = node[path[k]];
    if (!isObject(next)) {
      throw new NcfError(`--set ${assignment}: "${path.slice(0, k + 1).join('.')}" is not a section; sections: ${sectionNames()}`);
    }
    node = next;
  }
  node[path[path.length - 1]] = value;
}

function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? merge(b, v) : v;
  }
  return out;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sectionNames(): string {
  return Object.entries(DEFAULTS)
    .filter(([, v]) => isObject(v))
    .map(([k]) => k)
    .join(', ');
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const full = where ? `${where}.${key}` : key;
    const allowed = Object.keys(lookup(DEFAULTS, issue.path) as object);
    const near = closestKey(key, allowed);
    return `unknown key "${full}"${near ? ` (did you mean "${where ? `${where}.` : ''}${near}"?)` : ''} — allowed${where ? ` under ${where}` : ''}: ${allowed.join(', ')}`;
  }
  const got = lookup(raw, issue.path);
  return `${where || 'config'}: ${issue.message.replace(/^Invalid input: /, '')} (got ${JSON.stringify(got)})`;
}

function lookup(v: unknown, path: PropertyKey[]): unknown {
  let node = v;
  for (const p of path) node = isObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[p] : undefined;
  return node;
}

/** The allowed key nearest to `key` by edit distance, if it is plausibly a typo. */
function closestKey(key: string, allowed: string[]): string | null {
  const best = closest(key, allowed);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}
