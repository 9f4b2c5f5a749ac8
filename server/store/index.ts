import type { Store } from './types';
export async function createStore(_url?: string, _dir?: string): Promise<Store> { throw new Error('todo'); }
