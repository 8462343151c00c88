/** The shape every handler module fills: one async function per contract method. */
import type { MethodName, MethodResult, ValidParams } from '../../../src-shared/contract';
import type { EventBus } from '../events';

export interface CallContext {
  requestId: string;
  signal: AbortSignal;
  events: EventBus;
}

export type Handler<M extends MethodName> = (params: ValidParams<M>, ctx: CallContext) => Promise<MethodResult<M>>;

export type Handlers<M extends MethodName = MethodName> = { [K in M]: Handler<K> };
