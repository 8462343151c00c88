/**
 * The rows a grid holds: fixed-size blocks of a main-side result, fetched on demand as the
 * visible window moves, least recently used evicted beyond a budget. The renderer therefore
 * never holds more than `maxBlocks * blockSize` rows, whatever the result's size.
 */
import type { Cell, ResultPage } from '../../../src-shared/values';

export type FetchBlock = (offset: number, limit: number) => Promise<ResultPage>;

export class BlockCache {
  private readonly blocks = new Map<number, Cell[][]>();
  private readonly loading = new Set<number>();
  private disposed = false;

  constructor(
    private readonly fetchBlock: FetchBlock,
    private readonly rowCount: number,
    private readonly onChange: () => void,
    readonly blockSize = 256,
    private readonly maxBlocks = 12,
  ) {}

  /** The cell at (row, column), or undefined while its block is loading. */
  cell(row: number, column: number): Cell | undefined {
    const block = this.blocks.get(Math.floor(row / this.blockSize));
    return block?.[column]?.[row % this.blockSize];
  }

  has(row: number): boolean {
    return this.blocks.has(Math.floor(row / this.blockSize));
  }

  /** Makes sure rows [first, end) are loaded or loading, and evicts blocks far from them. */
  ensure(first: number, end: number): void {
    const firstBlock = Math.floor(first / this.blockSize);
    const lastBlock = Math.floor(Math.max(first, end - 1) / this.blockSize);
    const wanted: number[] = [];
    for (let b = firstBlock; b <= lastBlock; b++) wanted.push(b);
    for (const b of wanted) {
      const block = this.blocks.get(b);
      if (block) {
        // Refresh LRU position.
        this.blocks.delete(b);
        this.blocks.set(b, block);
      } else if (!this.loading.has(b)) {
        void this.load(b);
      }
    }
    this.evict(new Set(wanted));
  }

  /** Rows currently held in memory. */
  get cachedRows(): number {
    let rows = 0;
    for (const block of this.blocks.values()) rows += block[0]?.length ?? 0;
    return rows;
  }

  dispose(): void {
    this.disposed = true;
    this.blocks.clear();
  }

  private async load(b: number): Promise<void> {
    const offset = b * this.blockSize;
    if (offset >= this.rowCount) return;
    this.loading.add(b);
    try {
      const page = await this.fetchBlock(offset, Math.min(this.blockSize, this.rowCount - offset));
      if (this.disposed) return;
      this.blocks.set(b, page.columns);
      this.evict(new Set([b]));
      this.onChange();
    } catch {
      // The block stays missing; the next ensure() retries it.
    } finally {
      this.loading.delete(b);
    }
  }

  private evict(keep: Set<number>): void {
    for (const key of this.blocks.keys()) {
      if (this.blocks.size <= this.maxBlocks) break;
      if (!keep.has(key)) this.blocks.delete(key);
    }
  }
}
