/** The lines `ncf train` prints: what it trains, and one line per epoch. */
import type { EpochRecord } from '../core/records.js';
import type { IalsSettings } from '../core/training.js';
import type { EngineInfo } from '../engines/index.js';

export function trainingLine(o: {
  type: string;
  parameters: number;
  dataset: string;
  users: number;
  items: number;
  positives: number;
  engine: EngineInfo;
  /** How it is fitted: optimizer, lr and batch, or the least-squares settings. */
  fitting: string;
}): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return (
    `${o.type} (${n(o.parameters)} parameters) on ${o.dataset}: ${n(o.users)} users, ${n(o.items)} items, ` +
    `${n(o.positives)} training positives; engine ${o.engine.label}, ${o.fitting}`
  );
}

/** `alternating least squares: α0 0.3, λ 0.007, ν 1, 8 CG steps per row` */
export function ialsText(s: IalsSettings): string {
  const solver = s.solver === 'cholesky' ? 'Cholesky per row' : s.solver === 'eals' ? 'one eALS pass per row' : `${s.cgSteps} CG steps per row`;
  const popularity = s.popularityExp > 0 ? ` (weighted by popularity^${s.popularityExp})` : '';
  return `alternating least squares: α0 ${s.unobservedWeight}${popularity}, λ ${s.regularization}, ν ${s.regularizationExp}, ${solver}`;
}

export function epochLine(r: EpochRecord, epochs: number): string {
  const k = r.sampled.k;
  const full = r.full ? `  full HR@${k} ${r.full.hr.toFixed(4)} NDCG@${k} ${r.full.ndcg.toFixed(4)}` : '';
  return (
    `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  loss ${r.loss.toFixed(4)}  ` +
    `HR@${k} ${r.sampled.hr.toFixed(4)}  NDCG@${k} ${r.sampled.ndcg.toFixed(4)}${full}  ` +
    `${r.trainSeconds.toFixed(1)}s train  ${r.evalSeconds.toFixed(1)}s eval  ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} samples/s`
  );
}
