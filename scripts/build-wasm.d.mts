// Types of scripts/build-wasm.mjs (plain JavaScript, run by node without a compiler).
export interface WasmModule {
  source: string;
  output: string;
  name: string;
}
export const WASM_MODULES: WasmModule[];
export function compileWasm(source: string): Promise<string>;
export function generatedModule(module: WasmModule, base64: string): string;
export function checkedIn(module: WasmModule): string;
