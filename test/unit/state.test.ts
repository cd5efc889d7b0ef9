// The full from×to transition matrix, against upstream's validTransition table.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../server/engine/errors.js';
import { assertTransition, canTransition } from '../../server/engine/state.js';
import { STATES, type State } from '../../server/engine/types.js';

const UPSTREAM_ALLOWED = new Set(['ready>running', 'ready>stopped', 'running>paused', 'running>stopped', 'paused>running', 'paused>stopped', 'stopped>running']);

describe('state transitions', () => {
  for (const from of STATES) {
    for (const to of STATES) {
      const allowed = UPSTREAM_ALLOWED.has(`${from}>${to}`);
      it(`${from} → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
        const attempt = () => assertTransition('pod', 'p', from as State, to as State);
        if (allowed) expect(attempt).not.toThrow();
        else {
          expect(attempt).toThrow(EngineError);
          try {
            attempt();
          } catch (err) {
            expect((err as EngineError).code).toBe('INVALID_STATE');
            expect((err as EngineError).message).toBe(`Can not move pod "p" from ${from} to ${to}`);
          }
        }
      });
    }
  }
});
