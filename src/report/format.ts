/** Number formats shared by the report pages and terminal tables, so the same figure reads the same everywhere. */
export const fixed = (x: number, digits: number): string => x.toFixed(digits);

/** Integers with thousands separators: 340,697. */
export const count = (x: number): string => Math.round(x).toLocaleString('en-US');

export const seconds = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)}`;

export const times = (x: number): string => `${x.toFixed(2)}×`;

/** A relative error in scientific notation: 3.1e-7. */
export const relError = (x: number): string => x.toExponential(1);
