/**
 * One upload through the online trainer (issue 6): the body streams through libs/pcap's
 * TraceReader into libs/flow-model's FlowTrainer by the same `trainModel` that
 * `memoco train` runs, so the model is fitted while the upload arrives and its bytes are
 * those `memoco train` writes for the same trace. The finished model is decoded once more
 * (a model that does not read back is never published) for its flow-table facts.
 */
import { decodeFlowModel, rowCount, trainModel, type PacketPassFactory, type ProfileFitter, type TrainProgress, type TrainResult } from '@memoco/flow-model';
import { NATS_RESOURCE_NAMES, type ModelAnnouncement } from '@memoco/protocol';
import type { TrainRequest } from './train-request.ts';
import type { UploadBody } from './upload-body.ts';

export interface TrainedUpload {
  bytes: Uint8Array;
  result: TrainResult;
  /** Rows of the model's flow table (flows modelled one by one, and classes). */
  rows: number;
  /** Sum of the flow table's predicted packets per window. */
  predictedPackets: number;
  uploadBytes: number;
  /** From the upload's last byte to the encoded model. */
  finishMs: number;
}

export interface TrainUploadHooks {
  signal: AbortSignal;
  /** Bytes taken from the body and packets trained on so far, a few times a second. */
  onProgress?: (bytes: number, packets: number) => void;
  /** Where the per-packet statistics are counted and the rows fitted; TypeScript by default. */
  training?: { pass: PacketPassFactory; fit: ProfileFitter };
}

export async function trainUpload(body: UploadBody, request: TrainRequest, hooks: TrainUploadHooks): Promise<TrainedUpload> {
  const { bytes, result } = await trainModel(body, request.train, {
    signal: hooks.signal,
    progressIntervalMs: 100,
    ...(hooks.training ? { pass: hooks.training.pass, fit: hooks.training.fit } : {}),
    ...(hooks.onProgress ? { onProgress: (p: TrainProgress) => hooks.onProgress!(body.bytes, p.packets) } : {}),
  });
  const modelReady = performance.now();
  const model = decodeFlowModel(bytes);
  let predictedPackets = 0;
  for (const p of model.tables.packets) predictedPackets += p;
  return { bytes, result, rows: rowCount(model), predictedPackets, uploadBytes: body.bytes, finishMs: modelReady - (body.lastByteAtMs ?? modelReady) };
}

/** The announcement of a trained upload; its summary is what `GET /v1/models/:id` shows. */
export function buildAnnouncement(trained: TrainedUpload, request: TrainRequest, trainer: string, createdAtUnixMs: number): ModelAnnouncement {
  const r = trained.result;
  return {
    modelId: r.modelId,
    sha256: r.modelId,
    bytes: r.bytes,
    flows: trained.rows,
    predictedPackets: trained.predictedPackets,
    createdAtUnixMs,
    trainer,
    bucket: NATS_RESOURCE_NAMES.modelsBucket,
    summary: {
      traceFlows: r.flows,
      modelledFlows: r.modelledFlows,
      classes: r.classes,
      packets: r.packets,
      nonIpPackets: r.nonIpPackets,
      binMs: r.binMs,
      maxModelBytes: request.train.maxModelBytes,
      traceSeconds: r.traceSeconds,
      uploadBytes: trained.uploadBytes,
      trainSeconds: r.trainSeconds,
      ...(request.traceName !== undefined ? { traceName: request.traceName } : {}),
    },
  };
}
