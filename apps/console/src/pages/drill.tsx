/** The users behind a number (a paths step, a funnel drop-off), each a link to the user. */
import { Params } from '../api';
import { Show, useApi } from '../data';
import { Route, carry, hrefOf, onLinkClick } from '../route';
import { formatNumber, formatTime } from '../time';
import type { DrillUsers } from '@waymark/contract';

export function DrillUsersList({ route, title, path, params, onClose }: { route: Route; title: string; path: string; params: Params; onClose: () => void }) {
  const loaded = useApi<DrillUsers>(path, params);
  const tz = route.params.tz || 'UTC';
  return (
    <section class="card drill" aria-labelledby="drill-heading">
      <h2 id="drill-heading">{title}</h2>
      <button type="button" class="close" onClick={onClose}>
        Close
      </button>
      <Show loaded={loaded} isEmpty={(data) => data.total === 0} empty="No users.">
        {(data) => (
          <>
            <p class="summary">
              <span data-testid="drill-total">{formatNumber(data.total)}</span> users
              {data.total > data.users.length ? `, the latest ${data.users.length} shown` : ''}
            </p>
            <ul class="drill-users" data-testid="drill-users">
              {data.users.map((user) => (
                <li>
                  <a href={hrefOf('user', carry(route, { env: user.env, identifier: user.identifier }))} onClick={onLinkClick}>
                    {user.identifier}
                  </a>{' '}
                  <span class="hint">
                    {user.env}, last {formatTime(user.lastAt, tz)}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}
