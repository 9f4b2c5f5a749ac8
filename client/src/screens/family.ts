import { registerScreen } from '../shell/registry';
import { FamilyScreen } from '../ui/family-screen';

registerScreen({
  id: 'family',
  title: 'navFamily',
  roles: ['family'],
  order: 5,
  mount(host) {
    const screen = new FamilyScreen(host);
    return {
      el: screen.el,
      update: (state) => screen.update(state),
      tick: () => screen.tick(),
      destroy: () => screen.destroy(),
      get hooks() {
        return screen.hooks;
      },
    };
  },
});
