/**
 * The read key lives in sessionStorage only: gone when the tab closes, never written
 * to a URL, localStorage or a log.
 */
const KEY = 'waymark.console.key';

export function readKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
