/**
 * The header's Plan button and the host that shows the plan dialog when asked (plan-store);
 * the dialog itself (PlanDialog.tsx) is a chunk loaded the first time it opens.
 */
import { lazy, Suspense } from 'react';
import type { Client } from '../../transport/client';
import { usePlanDialog } from './plan-store';
import './plan.css';

const PlanDialog = lazy(() => import('./PlanDialog').then((m) => ({ default: m.PlanDialog })));

export function PlanDialogHost({ client }: { client: Client }) {
  const { open, environment, request, close } = usePlanDialog();
  if (!open) return null;
  return (
    <Suspense fallback={null}>
      <PlanDialog key={request} client={client} initialEnvironment={environment} onClose={close} />
    </Suspense>
  );
}

export function PlanButton() {
  const show = usePlanDialog((s) => s.show);
  return (
    <button type="button" className="primary plan-button" onClick={() => show()} data-testid="open-plan">
      Plan
    </button>
  );
}
