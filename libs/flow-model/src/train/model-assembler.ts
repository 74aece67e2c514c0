/**
 * The model from the fitted rows: the RowSet's tables (row-set.ts: already in the model's
 * form, weights stored as uint32 that saturate beyond 2^32-1) plus the coefficient tables and
 * the activity profile of this fit.
 */
import type { FlowModel, FlowModelInfo, FlowModelTables } from '../model/flow-model.ts';
import type { FitRows } from './profile-fit.ts';
import type { RowSet } from './row-set.ts';

export function assembleModel(info: FlowModelInfo, set: RowSet, rows: FitRows, coefs: Float64Array, profile: Float64Array): FlowModel {
  const n = set.count;
  const coefCount = new Int32Array(n);
  for (let i = 0; i < n; i++) coefCount[i] = rows.coefBase[i + 1]! - rows.coefBase[i]!;
  const tables: FlowModelTables = {
    ...set.tables(),
    binsPerCoef: rows.binsPerCoef.slice(0, n),
    coefBase: rows.coefBase.slice(0, n),
    coefCount,
    coef: Float32Array.from(coefs),
    profile: Float32Array.from(profile),
  };
  return { info, tables };
}
