import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '@memoco/testbed';

const pcaps = sharedDataDir() && join(sharedDataDir()!, 'pcaps');

/** Every capture of ../shared/data/pcaps (empty when the directory is absent). */
export const CORPUS: readonly string[] = pcaps ? readdirSync(pcaps).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => join(pcaps, f)) : [];
export const CORPUS_SKIP = '(skipped: ../shared/data/pcaps is absent beside the repository)';
/** The one capture cut short mid-record (MANIFEST.md #17). */
export const TRUNCATED = CORPUS.find((f) => f.includes('CUTSHORT'));
