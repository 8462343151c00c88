/** Whether the plan dialog is open, and for which environment (the header, the environments panel and the palette open it). */
import { create } from 'zustand';

export interface PlanDialogState {
  open: boolean;
  environment: string;
  /** Bumped on every `show`, so a dialog already open re-plans for the new request. */
  request: number;
  show(environment?: string): void;
  close(): void;
}

export const usePlanDialog = create<PlanDialogState>((set, get) => ({
  open: false,
  environment: 'dev',
  request: 0,
  show: (environment) => set({ open: true, environment: environment ?? get().environment, request: get().request + 1 }),
  close: () => set({ open: false }),
}));
