/**
 * Which ShardEngine this build sends with: the one place that changes when the native
 * model-synthesis engine lands in @memoco/txcore (issue 6: "keep the engine behind a small
 * interface in the agent so the wiring is one file").
 */
import type { TxRuntime } from '@memoco/txcore';
import { PregeneratedShardEngine } from './pregenerated-shard-engine.ts';
import type { ShardEngine } from './shard-engine.ts';

export function createShardEngine(runtime: TxRuntime, workDir: string): ShardEngine {
  return new PregeneratedShardEngine(runtime, workDir);
}
