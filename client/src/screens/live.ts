import { savePrefs } from '../session';
import { registerScreen } from '../shell/registry';
import { formatRoute } from '../replay/route';
import { LiveScreen } from '../ui/live-screen';

registerScreen({
  id: 'live',
  title: 'navLive',
  // floor.watch in server/auth/scope.ts
  roles: ['nurse', 'charge_nurse', 'manager', 'admin'],
  order: 10,
  alarmBanner: true,
  mount(host) {
    const { store } = host;
    const screen = new LiveScreen(
      {
        selectFloor: (id) => {
          savePrefs({ floorId: id });
          store.dispatch({ type: 'floor/selected', floorId: id });
        },
        focusAlert: (id) => store.dispatch({ type: 'alert/focused', alertId: id }),
        act: host.act,
        onMapReady: (id) => host.markReady(`floor:${id}`),
        navigate: (route) => host.go(formatRoute(route)),
      },
      host.clock,
    );
    return {
      el: screen.el,
      update: (state, now) => screen.update(state, now),
      tick: (now) => screen.tick(now),
      destroy: () => screen.destroy(),
      hooks: {
        get deck() {
          return screen.map.deck;
        },
        project: (x: number, y: number) => screen.map.project(x, y),
      },
    };
  },
});

