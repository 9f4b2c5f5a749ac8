import { registerScreen } from '../shell/registry';
import { CityScreen } from '../ui/city-screen';

registerScreen({
  id: 'city',
  title: 'navCity',
  // floor.watch of the outdoor level (server/auth/scope.ts)
  roles: ['nurse', 'charge_nurse', 'manager', 'admin'],
  order: 20,
  alarmBanner: true,
  mount(host) {
    const screen = new CityScreen(host);
    return {
      el: screen.el,
      update: (state, now) => screen.update(state, now),
      tick: (now) => screen.tick(now),
      destroy: () => screen.destroy(),
      get hooks() {
        return screen.hooks;
      },
    };
  },
});
