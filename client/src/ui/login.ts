import { ApiError, type LoginResult } from '../api';
import { t } from '../i18n';
import type { Locale } from '../state/types';
import { h } from './dom';

export interface LoginViewOptions {
  locale: Locale;
  login: (username: string, password: string) => Promise<LoginResult>;
  onSuccess: (result: LoginResult) => void;
  onToggleLocale: () => void;
}

export function loginView(opts: LoginViewOptions): HTMLElement {
  const { locale } = opts;
  const username = h('input', {
    testid: 'login-username',
    attrs: { name: 'username', autocomplete: 'username', required: '', autocapitalize: 'off', spellcheck: 'false' },
  });
  const password = h('input', {
    testid: 'login-password',
    attrs: { name: 'password', type: 'password', autocomplete: 'current-password', required: '' },
  });
  const error = h('p', { class: 'login-error', testid: 'login-error', attrs: { role: 'alert' } });
  const submit = h('button', { class: 'btn btn-primary', testid: 'login-submit', text: t(locale, 'signIn'), attrs: { type: 'submit' } });

  const form = h(
    'form',
    {
      class: 'login-card',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          error.textContent = '';
          submit.disabled = true;
          submit.textContent = t(locale, 'signingIn');
          opts.login(username.value.trim(), password.value).then(
            (result) => opts.onSuccess(result),
            (err: unknown) => {
              submit.disabled = false;
              submit.textContent = t(locale, 'signIn');
              error.textContent =
                err instanceof ApiError && (err.status === 401 || err.status === 400 || err.status === 403)
                  ? t(locale, 'loginFailed')
                  : t(locale, 'loginError', { message: err instanceof Error ? err.message : String(err) });
              password.select();
            },
          );
        },
      },
    },
    h('div', { class: 'login-brand' }, h('span', { class: 'logo', text: '◉' }), h('h1', { text: t(locale, 'appName') })),
    h('h2', { text: t(locale, 'loginTitle') }),
    h('label', {}, h('span', { text: t(locale, 'username') }), username),
    h('label', {}, h('span', { text: t(locale, 'password') }), password),
    error,
    submit,
    h('button', {
      class: 'btn btn-ghost',
      testid: 'lang-toggle',
      text: t(locale, 'language'),
      attrs: { type: 'button' },
      on: { click: () => opts.onToggleLocale() },
    }),
  );
  setTimeout(() => username.focus(), 0);
  return h('main', { class: 'login-screen' }, form);
}
