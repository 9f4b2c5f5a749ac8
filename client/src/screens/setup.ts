import '../overview/office.css';
import { registerScreen } from '../shell/registry';
import { SetupScreen } from '../setup/setup-screen';

registerScreen({
  id: 'setup',
  title: 'navSetup',
  // site.manage in server/auth/scope.ts
  roles: ['admin'],
  order: 50,
  mount(host) {
    const screen = new SetupScreen({ api: host.api, errorText: host.errorText, onReady: () => host.markReady('setup') });
    return { el: screen.el, update: (state) => screen.update(state.locale), destroy: () => screen.el.remove() };
  },
});
