/**
 * The unit the archive reader hands out: up to `capacity` records as parallel typed arrays
 * (struct of arrays, like @memoco/pcap's PacketBatch), so reading an archive allocates
 * nothing per record.
 *
 * A batch is reused: its arrays and `data` are valid only until the reader's next batch is
 * requested. Every record in a batch is whole (a record is never split across batches).
 */
export interface TsRecordBatch {
  /** Number of valid records (indices 0 .. count-1). */
  count: number;
  /** Record number (0-based, in file order) of record 0 of this batch. */
  firstIndex: number;
  /** Buffer holding the batch's records, each complete with its 30-byte header. */
  data: Uint8Array;
  /** Start of record i (its Length field) in `data`; its Data starts 30 bytes later. */
  recordOffset: Uint32Array;
  /** Total length of record i (the Length field: header + data). */
  recordLength: Uint32Array;
  /** Byte offset of record i in the archive file. */
  fileOffset: Float64Array;
  /** UTC microseconds since 1970-01-01 of record i (exact: the reader rejects |t| > 2^53). */
  timestampUs: Float64Array;
  /** Local offset in minutes stored with record i (0 for Z). */
  offsetMinutes: Int16Array;
  /** Dense device index of record i into the reader's DeviceIdTable (first-seen order). */
  deviceIndex: Uint32Array;
}

export function createRecordBatch(capacity: number): TsRecordBatch {
  return {
    count: 0,
    firstIndex: 0,
    data: new Uint8Array(0),
    recordOffset: new Uint32Array(capacity),
    recordLength: new Uint32Array(capacity),
    fileOffset: new Float64Array(capacity),
    timestampUs: new Float64Array(capacity),
    offsetMinutes: new Int16Array(capacity),
    deviceIndex: new Uint32Array(capacity),
  };
}
