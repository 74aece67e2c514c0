import { describe, expect, it } from 'vitest';
import { deriveRunStatus } from './fleet-status.ts';

describe('deriveRunStatus', () => {
  it('keeps a run open while any part is open', () => {
    expect(deriveRunStatus(['assigned', 'assigned'])).toBe('planned');
    expect(deriveRunStatus(['accepted', 'assigned'])).toBe('running');
    expect(deriveRunStatus(['completed', 'running'])).toBe('running');
  });

  it('says completed, partial or failed once every part has ended', () => {
    expect(deriveRunStatus(['completed', 'completed'])).toBe('completed');
    expect(deriveRunStatus(['completed', 'failed'])).toBe('partial');
    expect(deriveRunStatus(['failed', 'failed'])).toBe('failed');
    expect(deriveRunStatus([])).toBe('failed');
  });

  it('says cancelled when a cancel was asked, even if some parts had finished', () => {
    expect(deriveRunStatus(['completed', 'cancelled'], true)).toBe('cancelled');
    expect(deriveRunStatus(['cancelled', 'cancelled'])).toBe('cancelled');
    expect(deriveRunStatus(['completed', 'completed'], true)).toBe('completed');
  });
});
