/** Light or dark: the visitor's choice (localStorage: it is no secret), else the system's. */
import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';
const STORE = 'waymark.console.theme';

export function initialTheme(): Theme {
  const saved = localStorage.getItem(STORE);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(STORE, theme);
  dispatchEvent(new Event('waymark-theme'));
}

export function useTheme(): Theme {
  const [theme, setTheme] = useState<Theme>(() => (document.documentElement.dataset.theme as Theme) ?? 'light');
  useEffect(() => {
    const onChange = () => setTheme(document.documentElement.dataset.theme as Theme);
    addEventListener('waymark-theme', onChange);
    return () => removeEventListener('waymark-theme', onChange);
  }, []);
  return theme;
}
