import '../overview/office.css';
import { ManagerView } from '../overview/manager-view';
import { RegulatorView } from '../overview/regulator-view';
import { registerScreen } from '../shell/registry';

registerScreen({
  id: 'overview',
  title: 'navOverview',
  // overview.read in server/auth/scope.ts
  roles: ['manager', 'admin', 'regulator'],
  order: 5,
  mount(host) {
    const role = host.store.getState().user?.role;
    if (role === 'regulator') {
      const view = new RegulatorView({ api: host.api, clock: host.clock, errorText: host.errorText, onReady: () => host.markReady('overview') });
      return { el: view.el, update: (state) => view.update(state.locale), destroy: () => view.el.remove() };
    }
    const view = new ManagerView({ api: host.api, clock: host.clock, go: host.go, errorText: host.errorText, onReady: () => host.markReady('overview') });
    return { el: view.el, update: (state) => view.update(state), destroy: () => view.el.remove() };
  },
});
