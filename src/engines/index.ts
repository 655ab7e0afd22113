/**
 * The engine registry: name → how to create it, its config section and capabilities. Nothing
 * outside src/engines/ asks which engine it holds; it asks the registry or the engine.
 */
import type { ModelShape } from '../core/model.js';
import type { Engine, EngineOptions } from './engine.js';
import type { EngineEntry, RecordedEngine } from './entry.js';
import { scratchEngine } from './scratch/index.js';
import { tfjsEngine } from './tfjs/index.js';

export type { Engine, EngineInfo, EngineOptions, LeastSquares, StepCount, UserRows } from './engine.js';
export type { EngineEntry, RecordedEngine } from './entry.js';

export const ENGINES = { scratch: scratchEngine, tfjs: tfjsEngine } as const;

export type EngineName = keyof typeof ENGINES;
/** Each engine's config section, by engine name. */
export type EngineSettings = { [K in EngineName]: (typeof ENGINES)[K] extends EngineEntry<infer S> ? S : never };

export const ENGINE_NAMES = Object.keys(ENGINES) as [EngineName, ...EngineName[]];

export function engineEntry(name: string): EngineEntry<object> {
  if (!Object.hasOwn(ENGINES, name)) throw new Error(`unknown engine "${name}" — one of ${ENGINE_NAMES.join(', ')}`);
  return ENGINES[name as EngineName] as unknown as EngineEntry<object>;
}

export function createEngine(name: string, shape: ModelShape, o: EngineOptions<object>): Promise<Engine> {
  return engineEntry(name).create(shape, o);
}

/** The engine bench checks every other against (the first registered with `reference`). */
export function referenceEngine(): EngineName {
  return ENGINE_NAMES.find((n) => ENGINES[n].reference) ?? ENGINE_NAMES[0];
}

/** Every `<engine>` and `<engine>:<variant>` that bench accepts. */
export function engineTargets(): string[] {
  return ENGINE_NAMES.flatMap((n) => (ENGINES[n].variants.length ? ENGINES[n].variants.map((v) => `${n}:${v}`) : [n]));
}

/** `tfjs:wasm` → the engine and its settings with that variant; null when no engine has it. */
export function parseEngineTarget<S extends Partial<EngineSettings>>(target: string, settings: S): { name: EngineName; settings: object } | null {
  const [name, variant] = target.split(':');
  if (!Object.hasOwn(ENGINES, name)) return null;
  const e = engineEntry(name);
  const base = (settings as Record<string, object>)[name] ?? e.defaults;
  if (variant === undefined) return e.variants.length ? null : { name: name as EngineName, settings: base };
  if (!e.variants.includes(variant)) return null;
  return { name: name as EngineName, settings: e.withVariant(base, variant) };
}

/** How report pages name an engine, from its info as a run recorded it. */
export function describeEngine(info: RecordedEngine): string {
  return Object.hasOwn(ENGINES, info.name) ? engineEntry(info.name).describe(info) : `${info.name} on ${info.backend}`;
}
