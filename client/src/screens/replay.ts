import { canReplay, formatRoute, parseHash } from '../replay/route';
import { registerScreen, type ScreenHost } from '../shell/registry';
import type { TopBarActions } from '../ui/top-bar';
import { ReplayScreen } from '../ui/replay-screen';

registerScreen({
  id: 'replay',
  title: 'navReplay',
  // resident.track in server/auth/scope.ts (canReplay)
  roles: (['nurse', 'charge_nurse', 'manager', 'admin'] as const).filter((role) => canReplay({ role })),
  order: 30,
  ownTopBar: true,
  mount(host, route) {
    const { store } = host;
    const bar = (host as ScreenHost & { bar: TopBarActions }).bar;
    const screen = new ReplayScreen(
      {
        ...bar,
        api: host.api,
        navigate: (r) => host.go(formatRoute(r)),
        showLive: (alertId) => {
          host.go('#/live');
          store.dispatch({ type: 'alert/focused', alertId });
        },
        acknowledge: (id) => host.act(id, 'ack', ''),
      },
      store.getState(),
      host.clock,
    );
    const open = (hash: string) => {
      const r = parseHash(hash);
      screen.open(r.screen === 'replay' ? r.source : null);
    };
    open(route.hash);
    return {
      el: screen.el,
      update: (state, now) => screen.update(state, now),
      tick: (now) => screen.tick(now),
      route: (r) => open(r.hash),
      destroy: () => screen.destroy(),
      get hooks() {
        return screen.hooks;
      },
    };
  },
});
