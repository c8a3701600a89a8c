/**
 * The console's frame: sign-in (or the open-development banner), the product / env /
 * tag pickers, the time range and zone, navigation, theme, and the page of the URL.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiGet } from './api';
import { ErrorBox } from './data';
import { forgetKey, readKey, saveKey } from './key-store';
import { PAGES, Page, Route, carry, hrefOf, onLinkClick, updateParams, useRoute } from './route';
import { SCOPE_PATH, Scope } from './scope';
import { applyTheme, useTheme } from './theme';
import { PRESETS, timeZones } from './time';
import { DashboardPage } from './pages/dashboard';
import { FunnelPage } from './pages/funnel';
import { LivePage } from './pages/live';
import { PathsPage } from './pages/paths';
import { RetentionPage } from './pages/retention';
import { UserPage } from './pages/user';
import { UsersPage } from './pages/users';

const TITLES: Record<Page, string> = {
  users: 'Users',
  user: 'User',
  dashboard: 'Dashboard',
  paths: 'Paths',
  funnel: 'Funnels',
  retention: 'Retention',
  live: 'Live',
};

type Access = { state: 'checking' } | { state: 'signed-out'; error?: ApiError } | { state: 'in'; scope: Scope };

export function App() {
  const [access, setAccess] = useState<Access>({ state: 'checking' });
  const check = (key: string | null) =>
    apiGet<Scope>(SCOPE_PATH, {}, { key }).then(
      (scope) => setAccess({ state: 'in', scope }),
      (error: ApiError) => {
        if (key) forgetKey();
        setAccess({ state: 'signed-out', error: key ? error : undefined });
      },
    );
  // With no key saved, an API in open development mode answers anyway: no sign-in then.
  useEffect(() => void check(readKey()), []);
  if (access.state === 'checking')
    return (
      <p class="loading" role="status">
        Connecting…
      </p>
    );
  if (access.state === 'signed-out')
    return (
      <SignIn
        error={access.error}
        onKey={(key) => {
          saveKey(key);
          void check(key);
        }}
      />
    );
  return (
    <Console
      scope={access.scope}
      signOut={() => {
        forgetKey();
        setAccess({ state: 'signed-out' });
      }}
    />
  );
}

function SignIn({ error, onKey }: { error?: ApiError; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <main class="sign-in" id="main">
      <h1>Waymark console</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onKey(key.trim());
        }}
      >
        <label for="key">Read API key</label>
        <input id="key" name="key" type="password" autocomplete="off" required value={key} onInput={(event) => setKey(event.currentTarget.value)} />
        <p class="hint">Kept in this tab only (sessionStorage); never put in a URL.</p>
        <button type="submit">Sign in</button>
      </form>
      {error && <ErrorBox error={error} />}
    </main>
  );
}

function Console({ scope, signOut }: { scope: Scope; signOut: () => void }) {
  const route = useRoute();
  const theme = useTheme();
  const product = scope.products.find((candidate) => candidate.product === route.params.product) ?? scope.products[0];
  const tag = product?.tags.find((candidate) => candidate.tag === route.params.tag) ?? product?.tags[0];
  // Fill in the pickers' defaults once, in place, so the URL always names the view.
  useEffect(() => {
    if (product && tag && (route.params.product !== product.product || route.params.tag !== tag.tag))
      updateParams(route, { product: product.product, tag: tag.tag }, true);
  }, [route, product, tag]);
  useEffect(() => {
    document.title = `${TITLES[route.page]} · Waymark console`;
  }, [route.page]);
  if (!product || !tag)
    return (
      <main id="main" class="empty">
        This key may read no session tag.
      </main>
    );
  const ready = route.params.product === product.product && route.params.tag === tag.tag;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      {scope.openDevelopment && (
        <div class="banner" role="note">
          Open development mode: this API accepts calls without a key, with every role on every product.
        </div>
      )}
      <header class="top">
        <strong class="brand">Waymark</strong>
        <nav aria-label="Pages">
          {PAGES.filter((page) => page !== 'user').map((page) => (
            <a
              href={hrefOf(page, carry(route))}
              onClick={onLinkClick}
              aria-current={route.page === page || (page === 'users' && route.page === 'user') ? 'page' : undefined}
            >
              {TITLES[page]}
            </a>
          ))}
        </nav>
        <div class="tools">
          <button
            type="button"
            onClick={() => applyTheme(theme === 'dark' ? 'light' : 'dark')}
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          {!scope.openDevelopment && (
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <Pickers scope={scope} route={route} />
      <main id="main" tabIndex={-1}>
        <h1>{TITLES[route.page]}</h1>
        {ready && <PageView route={route} scope={scope} />}
      </main>
    </>
  );
}

function Pickers({ scope, route }: { scope: Scope; route: Route }) {
  const product = scope.products.find((candidate) => candidate.product === route.params.product) ?? scope.products[0];
  const range = route.params.from && route.params.to ? 'custom' : (route.params.range ?? '7d');
  const set = (changes: Record<string, string | undefined>) => updateParams(route, changes);
  return (
    <form class="pickers" aria-label="View" onSubmit={(event) => event.preventDefault()}>
      <label>
        Product
        <select value={product.product} onChange={(event) => set({ product: event.currentTarget.value, tag: undefined, env: undefined })}>
          {scope.products.map((candidate) => (
            <option value={candidate.product}>{candidate.name || candidate.product}</option>
          ))}
        </select>
      </label>
      <label>
        Tag
        <select value={route.params.tag} onChange={(event) => set({ tag: event.currentTarget.value })}>
          {product.tags.map((candidate) => (
            <option value={candidate.tag}>{candidate.name || candidate.tag}</option>
          ))}
        </select>
      </label>
      <label>
        Env
        <select value={route.params.env ?? ''} onChange={(event) => set({ env: event.currentTarget.value || undefined })}>
          <option value="">All envs</option>
          {product.envs.map((env) => (
            <option value={env}>{env}</option>
          ))}
        </select>
      </label>
      <label>
        Range
        <select
          value={range}
          onChange={(event) =>
            event.currentTarget.value === 'custom'
              ? set({ range: 'custom', from: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10) })
              : set({ range: event.currentTarget.value, from: undefined, to: undefined })
          }
        >
          {Object.entries(PRESETS).map(([value, preset]) => (
            <option value={value}>{preset.label}</option>
          ))}
          <option value="custom">Dates…</option>
        </select>
      </label>
      {range === 'custom' && (
        <>
          <label>
            From
            <input type="date" value={route.params.from} onChange={(event) => set({ from: event.currentTarget.value })} />
          </label>
          <label>
            To
            <input type="date" value={route.params.to} onChange={(event) => set({ to: event.currentTarget.value })} />
          </label>
        </>
      )}
      <label>
        Time zone
        <select value={route.params.tz ?? 'UTC'} onChange={(event) => set({ tz: event.currentTarget.value === 'UTC' ? undefined : event.currentTarget.value })}>
          {timeZones().map((zone) => (
            <option value={zone}>{zone}</option>
          ))}
        </select>
      </label>
    </form>
  );
}

function PageView({ route, scope }: { route: Route; scope: Scope }) {
  switch (route.page) {
    case 'users':
      return <UsersPage route={route} scope={scope} />;
    case 'user':
      return <UserPage route={route} />;
    case 'dashboard':
      return <DashboardPage route={route} />;
    case 'paths':
      return <PathsPage route={route} />;
    case 'funnel':
      return <FunnelPage route={route} />;
    case 'retention':
      return <RetentionPage route={route} />;
    case 'live':
      return <LivePage route={route} />;
  }
}
