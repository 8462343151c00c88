/**
 * Named actions of the plan feature, for a command palette (or menus) to list: each opens the
 * plan dialog. Exported as plain data so a palette registers them without knowing the dialog.
 */
import { useNavigation } from '../../store/navigation';
import { usePlanDialog } from './plan-store';

export interface PlanAction {
  id: string;
  label: string;
  run(): void;
}

export const planActions: PlanAction[] = [
  { id: 'plan.dev', label: 'Plan dev…', run: () => usePlanDialog.getState().show('dev') },
  { id: 'plan.prod', label: 'Plan prod…', run: () => usePlanDialog.getState().show('prod') },
  { id: 'plan.open', label: 'Plan an environment…', run: () => usePlanDialog.getState().show() },
  { id: 'environments.show', label: 'Show environments', run: () => useNavigation.getState().go('environments') },
];
