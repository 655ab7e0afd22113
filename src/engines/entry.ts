/** What an engine registers: how to create it, its config section, and what it can do. */
import type { z } from 'zod';
import type { ModelShape } from '../core/model.js';
import type { Engine, EngineInfo, EngineOptions } from './engine.js';

export type RecordedEngine = Pick<EngineInfo, 'name' | 'backend'> & Partial<EngineInfo>;

export interface EngineEntry<S extends object> {
  readonly name: string;
  /** One line for --help and docs. */
  readonly summary: string;
  /** Its section of the run config (`<name>.…`), validated, and the section's defaults. */
  readonly settings: z.ZodType<S>;
  readonly defaults: S;
  /**
   * Named variants that bench compares as `<name>:<variant>` (the tfjs backends), each a change of
   * the settings; empty when the engine has none.
   */
  readonly variants: readonly string[];
  withVariant(settings: S, variant: string): S;
  /** The engine every other is checked against before bench times it (the scratch engine). */
  readonly reference: boolean;
  create(shape: ModelShape, o: EngineOptions<S>): Promise<Engine>;
  /** How report pages name a run's engine, from what its report folder recorded (older folders lack fields). */
  describe(info: RecordedEngine): string;
}
