/**
 * Publishes a run's result until JetStream acknowledges it (docs/fleet.md: while a stream
 * elects a new leader or NATS restarts, publishes fail for a few seconds). The message id
 * `<runId>.result.<host>` makes every retry land once. Retries back off from 250 ms to 2 s
 * and end only when acked, or when `giveUp()` says so (shutdown, after its own deadline).
 */
import type { RunHostResult } from '@memoco/protocol';
import type { AgentGateway } from './agent-gateway.ts';

export interface ResultSendOptions {
  giveUp: (elapsedMs: number) => boolean;
  log: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 2000;

/** Resolves true once acked, false when it gave up. */
export async function sendResultUntilAcked(gateway: Pick<AgentGateway, 'publishResult'>, result: RunHostResult, options: ResultSendOptions): Promise<boolean> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = Date.now();
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await gateway.publishResult(result);
      if (attempt > 1) options.log(`result of run ${result.runId} acked after ${attempt} attempts`);
      return true;
    } catch (error) {
      if (attempt === 1) options.log(`result of run ${result.runId} not acked (${(error as Error).message}); retrying until it is`);
      if (options.giveUp(Date.now() - started)) {
        options.log(`gave up sending the result of run ${result.runId} after ${attempt} attempts`);
        return false;
      }
    }
    await sleep(delay);
    delay = Math.min(MAX_DELAY_MS, delay * 2);
  }
}
