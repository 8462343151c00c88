/** IPC channel names shared by the Electron main entry and the preload. */
export const IPC = {
  invoke: 'pas:invoke',
  cancel: 'pas:cancel',
  subscribe: 'pas:subscribe',
  unsubscribe: 'pas:unsubscribe',
  event: 'pas:event',
} as const;

/** The custom scheme the renderer is served from (never file://). */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://studio`;
