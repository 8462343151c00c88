/**
 * Opening the storage a lake configuration points at: a local folder (`LocalStorage`) or an
 * S3-compatible bucket (`S3Storage`, reading through its local cache).
 */
import type { LakeDataConfig } from './config';
import { LocalStorage } from './storage/local';
import type { S3StorageTuning } from './storage/s3';
import type { LakeStorage } from './storage/storage';

/** The storage for `config.data`; `tuning` applies to S3 only (thresholds, retries, cache). */
export async function createStorage(data: LakeDataConfig, tuning: S3StorageTuning = {}): Promise<LakeStorage> {
  switch (data.kind) {
    case 'local':
      return new LocalStorage(data.folder);
    case 's3': {
      // The AWS SDK loads only for an S3 lake: it costs ~100 ms at every start otherwise.
      const { S3Storage } = await import('./storage/s3');
      return S3Storage.fromConfig(data, tuning);
    }
  }
}
