/**
 * The sandboxed preload: exposes exactly `invoke`, `cancel` and `subscribe` on `window.pas`
 * and nothing else (no ipcRenderer, no Node). Method and topic names are checked in main.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Outcome, PasBridge } from '../../src-shared/protocol';
import { IPC } from './channels';

const bridge: PasBridge = {
  invoke: (id, method, params) => ipcRenderer.invoke(IPC.invoke, id, method, params) as Promise<Outcome<unknown>>,
  cancel: (id) => ipcRenderer.send(IPC.cancel, id),
  subscribe: (topic, listener) => {
    const onEvent = (_event: IpcRendererEvent, eventTopic: string, payload: unknown) => {
      if (eventTopic === topic) listener(payload);
    };
    ipcRenderer.on(IPC.event, onEvent);
    ipcRenderer.send(IPC.subscribe, topic);
    return () => {
      ipcRenderer.removeListener(IPC.event, onEvent);
      ipcRenderer.send(IPC.unsubscribe, topic);
    };
  },
};

contextBridge.exposeInMainWorld('pas', bridge);
