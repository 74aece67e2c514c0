/**
 * Which ShardEngine this build sends with: the one place that names it (issue 6: "keep
 * the engine behind a small interface in the agent so the wiring is one file").
 */
import type { TxRuntime } from '@memoco/txcore';
import { NativeSynthesisEngine } from './native-synthesis-engine.ts';
import type { ShardEngine } from './shard-engine.ts';

export function createShardEngine(runtime: TxRuntime): ShardEngine {
  return new NativeSynthesisEngine(runtime);
}
