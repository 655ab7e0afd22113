/** The table ncf train prints at the end, on a made-up run whose best epoch is not the last. */
import { describe, expect, it } from 'vitest';
import { trainSummaryTable } from '../../src/report/train-table.js';
import { epochRecord } from './fixtures.js';

describe('trainSummaryTable', () => {
  it('shows the best epoch by sampled HR, the last one, the latest full ranking and the time spent', () => {
    const history = [1, 2, 3, 4].map((e) => epochRecord(e, 4));
    const lines = trainSummaryTable(history).split('\n');
    expect(lines[0].split(/\s+/).filter(Boolean)).toEqual(['epoch', 'loss', 'HR@10', 'NDCG@10']);
    // epoch 3: loss 0.5 − 0.12 + 0.0009, HR 0.6071, NDCG 0.6071 × 0.6
    expect(lines[2].split(/\s{2,}/)).toEqual(['best (sampled HR)', '3', '0.3809', '0.6071', '0.3643']);
    expect(lines[3].split(/\s{2,}/)).toEqual(['last', '4', '0.3416', '0.5987', '0.3592']);
    expect(lines[4].split(/\s{2,}/)).toEqual(['full ranking', '4', '0.0812', '0.0413']);
    // training 1.25 + 1.5 + 1.75 + 2 = 6.5 s for 4 × 50,000 samples; sampling 0.1 + … + 0.4 = 1 s; evaluation 4 × 0.05
    expect(lines[5]).toBe('4 epochs: training 6.5 s (1.6 s/epoch, 30,769 samples/s), sampling 1.0 s, evaluation 0.2 s');
  });

  it('is empty before any epoch finished', () => {
    expect(trainSummaryTable([])).toBe('');
  });
});
