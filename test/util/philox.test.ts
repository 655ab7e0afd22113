import { describe, expect, it } from 'vitest';
import { mulHi, philox } from '../../src/util/philox.js';
import { Rng } from '../../src/util/rng.js';

describe('Philox4x32-10', () => {
  it("gives Random123's known answers (kat_vectors)", () => {
    const out = new Uint32Array(4);
    expect([...philox(0, 0, 0, 0, 0, 0, out)]).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    const f = 0xffffffff;
    expect([...philox(f, f, f, f, f, f, out)]).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect([...philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out)]).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });

  it('mulHi is the high word of the exact 64-bit product', () => {
    const rng = new Rng(3);
    const cases = [
      [0, 0],
      [0xffffffff, 0xffffffff],
      [0xffffffff, 1],
      [0x10000, 0x10000],
    ];
    for (let k = 0; k < 2000; k++) cases.push([rng.nextUint32(), rng.nextUint32()]);
    for (const [a, b] of cases) expect(mulHi(a, b), `${a} × ${b}`).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
  });
});
