/** The site at /: hash routes (#/, #/user/7, #/dashboard, #/model), so the server needs one page only. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { DashboardPage } from './pages/dashboard.js';
import { ModelPage } from './pages/model.js';
import { RatePage } from './pages/rate.js';
import { UserPage } from './pages/user.js';

interface Route {
  page: 'rate' | 'user' | 'dashboard' | 'model';
  userId: number | null;
}

function routeOf(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'user') {
    const id = /^[1-9][0-9]{0,9}$/.test(parts[1] ?? '') ? Number(parts[1]) : null;
    return { page: 'user', userId: id };
  }
  if (parts[0] === 'dashboard' || parts[0] === 'model') return { page: parts[0], userId: null };
  return { page: 'rate', userId: null };
}

const LINKS: { page: Route['page']; href: string; label: string }[] = [
  { page: 'rate', href: '#/', label: 'Rate & discover' },
  { page: 'user', href: '#/user', label: 'MovieLens users' },
  { page: 'dashboard', href: '#/dashboard', label: 'Data' },
  { page: 'model', href: '#/model', label: 'Model card' },
];

function App() {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const label = LINKS.find((l) => l.page === route.page)?.label ?? '';
    document.title = `${label} · ncf`;
  }, [route.page]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">ncf movies</span>
        <nav aria-label="Sections">
          {LINKS.map((l) => (
            <a key={l.page} href={l.href} aria-current={route.page === l.page ? 'page' : undefined}>
              {l.label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main">
        {route.page === 'rate' && <RatePage />}
        {route.page === 'user' && <UserPage userId={route.userId} />}
        {route.page === 'dashboard' && <DashboardPage />}
        {route.page === 'model' && <ModelPage />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
