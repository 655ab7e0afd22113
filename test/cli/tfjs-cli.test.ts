import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendUnavailable } from '../helpers/backend-probe.js';
import { ncf } from '../helpers/cli.js';

/** A real adapter probe (not the ICD file's presence: chromium without libvulkan1 has the file and no adapter). */
const webgpuMissing = backendUnavailable('webgpu');
if (webgpuMissing) console.log(`skipping the webgpu CLI test: ${webgpuMissing}`);

function outSets(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ncf-tfjs-'));
  return ['--set', `output.models=${join(dir, 'models')}`, '--set', `output.reports=${join(dir, 'reports')}`];
}

const oneLine = (r: { status: number | null; stderr: string }, pattern: RegExp): void => {
  expect(r.status).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
};

describe('ncf train --set engine=tfjs (built CLI)', () => {
  it('asking for tensorflow without tfjs-node(-gpu) says what to install, in one line', () => {
    const r = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      'engine=tfjs',
      '--set',
      'tfjs.backend=tensorflow',
      '--set',
      'train.optimizer=adam',
      ...outSets(),
    ]);
    oneLine(
      r,
      /^ncf: the tensorflow backend needs @tensorflow\/tfjs-node-gpu \(CUDA; version 4\.x needs CUDA 11\.2 and cuDNN 8\.1\) or @tensorflow\/tfjs-node/,
    );
  });

  it('asking for webgpu with no adapter fails in one line', () => {
    const r = ncf(
      ['train', '--config', 'configs/smoke.json', '--set', 'engine=tfjs', '--set', 'tfjs.backend=webgpu', '--set', 'train.optimizer=adam', ...outSets()],
      { VK_ICD_FILENAMES: '/nonexistent/icd.json' },
    );
    oneLine(r, /^ncf: webgpu: no WebGPU adapter found/);
  });

  it('trains the default lazy_adam like the scratch engine (same losses per epoch to 4 decimals ± 0.0005)', () => {
    const loss = (out: string): number[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('epoch'))
        .map((l) => Number(/loss (\S+)/.exec(l)![1]));
    const t = ncf(['train', '--config', 'configs/smoke.json', '--set', 'engine=tfjs', '--set', 'tfjs.backend=cpu', ...outSets()]);
    const s = ncf(['train', '--config', 'configs/smoke.json', ...outSets()]);
    expect(t.status).toBe(0);
    const lt = loss(t.stdout);
    const ls = loss(s.stdout);
    expect(lt).toHaveLength(3);
    for (let e = 0; e < 3; e++) expect(Math.abs(lt[e] - ls[e])).toBeLessThanOrEqual(0.0005);
  });

  it('trains BPR-MF with L2 like the scratch engine (same losses per epoch ± 0.0005)', () => {
    const loss = (out: string): number[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('epoch'))
        .map((l) => Number(/loss (\S+)/.exec(l)![1]));
    const sets = ['--set', 'model.type=mf', '--set', 'model.embeddingStd=0.1', '--set', 'train.loss=bpr', '--set', 'train.l2=0.01'];
    const t = ncf(['train', '--config', 'configs/smoke.json', '--set', 'engine=tfjs', '--set', 'tfjs.backend=cpu', ...sets, ...outSets()]);
    const s = ncf(['train', '--config', 'configs/smoke.json', ...sets, ...outSets()]);
    expect(t.status, t.stderr).toBe(0);
    const lt = loss(t.stdout);
    const ls = loss(s.stdout);
    expect(lt).toHaveLength(3);
    for (let e = 0; e < 3; e++) expect(Math.abs(lt[e] - ls[e])).toBeLessThanOrEqual(0.0005);
    expect(ls[2]).toBeLessThan(ls[0]);
  });

  it('auto picks a backend and says why; cpu and wasm train to the same numbers', () => {
    const auto = ncf(['train', '--config', 'configs/smoke.json', '--set', 'engine=tfjs', '--set', 'train.optimizer=adam', ...outSets()], {
      VK_ICD_FILENAMES: '/nonexistent/icd.json',
    });
    expect(auto.status).toBe(0);
    expect(auto.stdout).toMatch(/engine tfjs on wasm \(auto: no @tensorflow\/tfjs-node-gpu, no WebGPU adapter; wasm is the fastest CPU backend here\)/);
    const cpu = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      'engine=tfjs',
      '--set',
      'tfjs.backend=cpu',
      '--set',
      'train.optimizer=adam',
      ...outSets(),
    ]);
    const hr = (out: string): string[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('epoch'))
        .map((l) => /HR@10 (\S+)/.exec(l)![1]);
    expect(hr(cpu.stdout)).toEqual(hr(auto.stdout));
  });

  it.skipIf(webgpuMissing !== null)('trains the smoke config end to end on webgpu (SwiftShader), with the fused kernels by default', () => {
    // backendUnavailable set VK_ICD_FILENAMES (to SwiftShader's where it was unset), and the CLI inherits it.
    const r = ncf([
      'train',
      '--config',
      'configs/smoke.json',
      '--set',
      'engine=tfjs',
      '--set',
      'tfjs.backend=webgpu',
      '--set',
      'train.optimizer=adam',
      '--set',
      'train.epochs=1',
      ...outSets(),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/engine tfjs on webgpu, fused kernels \(SwiftShader.*\(a CPU emulator, not a GPU\)\)/);
    expect(r.stdout).toMatch(/epoch 1\/1 .*HR@10 0\.\d{4}/);
  });
});
