import { describe, expect, it } from 'vitest';
import { SUBJECTS, parseRunSubject } from './fleet-subjects.ts';

const MODEL = 'a'.repeat(64);

describe('fleet subjects', () => {
  it('are versioned and built from validated tokens', () => {
    expect(SUBJECTS.runAssign('r1', 'tx-1')).toBe('memoco.v1.runs.r1.assign.tx-1');
    expect(SUBJECTS.runReport('r1', 'tx-1', 'progress')).toBe('memoco.v1.runs.r1.report.tx-1.progress');
    expect(SUBJECTS.runCancel('r1')).toBe('memoco.v1.runs.r1.cancel');
    expect(SUBJECTS.modelAnnounce(MODEL)).toBe(`memoco.v1.models.${MODEL}.announce`);
    expect(SUBJECTS.agentRequest('tx-1', 'status')).toBe('memoco.v1.agents.tx-1.status');
  });

  it('refuses tokens that would change the subject hierarchy or be wildcards', () => {
    for (const bad of ['a.b', '*', '>', 'a b', '', 'x'.repeat(65)]) {
      expect(() => SUBJECTS.runAssign('r1', bad)).toThrowError(expect.objectContaining({ code: 'PROTOCOL_ERR_BAD_SUBJECT_TOKEN' }));
    }
    expect(() => SUBJECTS.modelAnnounce('ABC')).toThrowError(/model id/);
  });

  it('parses run subjects back into run, kind and host', () => {
    expect(parseRunSubject(SUBJECTS.runReport('r1', 'h', 'result'))).toEqual({ runId: 'r1', kind: 'result', host: 'h' });
    expect(parseRunSubject(SUBJECTS.runAssign('r1', 'h'))).toEqual({ runId: 'r1', kind: 'assign', host: 'h' });
    expect(parseRunSubject(SUBJECTS.runCancel('r1'))).toEqual({ runId: 'r1', kind: 'cancel' });
    expect(parseRunSubject('memoco.v2.runs.r1.cancel')).toBeUndefined();
    expect(parseRunSubject('memoco.v1.runs.r1.report.h.other')).toBeUndefined();
  });

  it('lets the report filter take every report and no assignment', () => {
    const matches = (filter: string, subject: string) => {
      const f = filter.split('.');
      const s = subject.split('.');
      for (let i = 0; i < f.length; i++) {
        if (f[i] === '>') return s.length > i;
        if (f[i] !== '*' && f[i] !== s[i]) return false;
      }
      return f.length === s.length;
    };
    expect(matches(SUBJECTS.runReportAny, SUBJECTS.runReport('r', 'h', 'progress'))).toBe(true);
    expect(matches(SUBJECTS.runReportAny, SUBJECTS.runReport('r', 'h', 'result'))).toBe(true);
    expect(matches(SUBJECTS.runReportAny, SUBJECTS.runAssign('r', 'h'))).toBe(false);
    expect(matches(SUBJECTS.runAssignForHost('h'), SUBJECTS.runAssign('r', 'h'))).toBe(true);
    expect(matches(SUBJECTS.runAssignForHost('h'), SUBJECTS.runAssign('r', 'h2'))).toBe(false);
  });
});
