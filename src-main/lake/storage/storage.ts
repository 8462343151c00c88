/**
 * Where a lake's data files live. Keys are '/'-separated and relative to the data root
 * (the catalog's `data_path`), e.g. `main/trips/ducklake-<uuid>.parquet`.
 */
export interface LakeStorage {
  /** Where the data lives, with no secrets: an absolute folder path ending in '/', or `s3://bucket/prefix/`. */
  readonly displayRoot: string;
  /** Stores the local file at `key` ('/'-separated, relative to the data root). */
  putFile(localPath: string, key: string, signal?: AbortSignal): Promise<void>;
  /** A local filesystem path with the object's bytes, for DuckDB to read (local: the file itself; S3: a cached download). */
  localPath(key: string, signal?: AbortSignal): Promise<string>;
  /** Every object under a key prefix ('' = all), recursively. */
  list(prefix: string): Promise<{ key: string; size: number }[]>;
  delete(keys: string[]): Promise<void>;
  exists(key: string): Promise<boolean>;
}
