/** The compact table `ncf train` prints at the end: best and last epoch, full ranking, time spent. */
import { bestEpoch, type EpochRecord } from '../core/records.js';
import { textTable } from './text-table.js';

export function trainSummaryTable(history: EpochRecord[]): string {
  const best = bestEpoch(history);
  if (best === null) return '';
  const last = history[history.length - 1];
  const k = last.sampled.k;
  const f = (x: number): string => x.toFixed(4);
  const rows: (string | number)[][] = [
    ['best (sampled HR)', best.epoch, f(best.loss), f(best.sampled.hr), f(best.sampled.ndcg)],
    ['last', last.epoch, f(last.loss), f(last.sampled.hr), f(last.sampled.ndcg)],
  ];
  const ranked = [...history].reverse().find((r) => r.full !== null);
  if (ranked?.full) rows.push(['full ranking', ranked.epoch, '', f(ranked.full.hr), f(ranked.full.ndcg)]);
  const sum = (g: (r: EpochRecord) => number): number => history.reduce((a, r) => a + g(r), 0);
  const train = sum((r) => r.trainSeconds);
  const time =
    `${history.length} epoch${history.length === 1 ? '' : 's'}: training ${train.toFixed(1)} s ` +
    `(${(train / history.length).toFixed(1)} s/epoch, ${Math.round(sum((r) => r.instances) / train).toLocaleString('en-US')} samples/s), ` +
    `sampling ${sum((r) => r.sampleSeconds).toFixed(1)} s, evaluation ${sum((r) => r.evalSeconds).toFixed(1)} s`;
  return `${textTable(['', 'epoch', 'loss', `HR@${k}`, `NDCG@${k}`], rows)}\n${time}`;
}
