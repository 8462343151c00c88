/** Which view the app shows, and a file to open in the source viewer (from lineage). */
import { create } from 'zustand';

export type View = 'models' | 'query' | 'lineage' | 'ingest' | 'lake' | 'environments';

export interface OpenFile {
  path: string;
  line: number;
  column: number;
}

export const useNavigation = create<{ view: View; file: OpenFile | undefined; go(view: View): void; openFile(file: OpenFile | undefined): void }>((set) => ({
  view: 'models',
  file: undefined,
  go: (view) => set({ view }),
  openFile: (file) => set({ file }),
}));
