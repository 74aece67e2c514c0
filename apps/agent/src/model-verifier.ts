/**
 * Fetches an assignment's model from the object store and refuses it unless the SHA-256 of
 * the fetched bytes equals the assignment's digest (design.md invariant: a model is its
 * SHA-256; issue 6: the agent "refuses it unless its SHA-256 matches"). No cache: the bytes
 * used for a run are the bytes checked for it.
 */
import { createHash } from 'node:crypto';
import { loadFlowModel, rowCount, type LoadedModel } from '@memoco/flow-model';
import { MemocoError, decodeFlowSet, isMemocoError, type RunAssignment } from '@memoco/protocol';
import type { AgentGateway } from './agent-gateway.ts';

export async function fetchVerifiedModel(gateway: Pick<AgentGateway, 'fetchModel'>, assignment: RunAssignment): Promise<LoadedModel> {
  const bytes = await gateway.fetchModel(assignment.modelId);
  if (!bytes) throw new MemocoError('AGENT_ERR_MODEL_NOT_FOUND', `model ${assignment.modelId} is not in the model store`, { status: 404 });
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== assignment.modelSha256) {
    throw new MemocoError('AGENT_ERR_MODEL_DIGEST_MISMATCH', `model ${assignment.modelId} (${bytes.length} bytes) has SHA-256 ${digest}, the assignment expects ${assignment.modelSha256}: refused, nothing sent`, { status: 422 });
  }
  try {
    return loadFlowModel(bytes);
  } catch (error) {
    const why = isMemocoError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
    throw new MemocoError('AGENT_ERR_MODEL_CORRUPT', `model ${assignment.modelId} cannot be decoded: ${why}`, { status: 422 }, { cause: error });
  }
}

/** The assignment's flow sets as model rows per core, checked against the model's rows. */
export function decodeCoreRows(assignment: RunAssignment, loaded: LoadedModel): Uint32Array[] {
  const rows = rowCount(loaded.model);
  const ordered = [...assignment.cores].sort((a, b) => a.core - b.core);
  return ordered.map((core) => {
    let set: Uint32Array;
    try {
      set = decodeFlowSet(core.flows);
    } catch (error) {
      throw new MemocoError('AGENT_ERR_BAD_ASSIGNMENT', `core ${core.core}'s flow set: ${(error as Error).message}`, { status: 400 }, { cause: error });
    }
    const last = set.length > 0 ? set[set.length - 1]! : -1;
    if (last >= rows) throw new MemocoError('AGENT_ERR_BAD_ASSIGNMENT', `core ${core.core} is given row ${last}, the model has ${rows} rows`, { status: 400 });
    return set;
  });
}
