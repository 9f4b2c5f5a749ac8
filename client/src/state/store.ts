import { reducer } from './reducer';
import type { Action, ClientState } from './types';

export type Listener = (state: ClientState, action: Action) => void;

/** The one mutable cell of the client: the current state, replaced by the reducer on each action. */
export class Store {
  private state: ClientState;
  private readonly listeners = new Set<Listener>();

  constructor(initial: ClientState) {
    this.state = initial;
  }

  getState(): ClientState {
    return this.state;
  }

  dispatch = (action: Action): void => {
    const next = reducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l(next, action);
  };

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
