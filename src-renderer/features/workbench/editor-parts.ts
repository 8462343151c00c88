/** The workbench's Monaco side, one chunk loaded on demand by Workbench.tsx (see editor/load-monaco.ts). */
export { monaco } from '../editor/monaco';
export { pathOf, registerWorkbenchLanguage } from './language';
export { ModelEditor, runEditorAction } from './ModelEditor';
export { RenderedSql } from './RenderedSql';
