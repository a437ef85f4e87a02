import { describe, expect, it } from 'vitest';
import { tickLabel } from './Chart.tsx';

describe('tickLabel', () => {
  it('writes ticks as short as they read', () => {
    expect([0.25, 1, 10, 0.1, 0.001, 0.0001, 0.00002, 0, null].map(tickLabel)).toEqual(['0.25', '1', '10', '0.1', '0.001', '1e-4', '2e-5', '0', '']);
    expect(tickLabel(0.123456)).toBe('0.12');
  });
});
