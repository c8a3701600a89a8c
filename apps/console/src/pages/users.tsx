/** Users of a tag: who they are, when first and last seen, how many sessions, status. */
import { useEffect, useState } from 'preact/hooks';
import { useApi, Show } from '../data';
import { Route, carry, hrefOf, onLinkClick, updateParams } from '../route';
import { Scope } from '../scope';
import { formatNumber, formatTime, timeParams } from '../time';
import type { UserList } from '@waymark/contract';

const PAGE_SIZE = 20;

export function UsersPage({ route }: { route: Route; scope: Scope }) {
  const { params } = route;
  const time = timeParams(route);
  const page = Number(params.page ?? '1') || 1;
  const [search, setSearch] = useState(params.search ?? '');
  // The search box writes the URL after a pause in typing, not on every key.
  useEffect(() => {
    if ((params.search ?? '') === search) return;
    const timer = setTimeout(() => updateParams(route, { search: search || undefined, page: undefined }, true), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const loaded = useApi<UserList>('/v1/analytics/users', {
    product: params.product,
    tag: params.tag,
    env: params.env,
    search: params.search,
    status: params.status,
    sort: params.sort,
    from: time.from,
    to: time.to,
    tz: time.tz,
    page,
    pageSize: PAGE_SIZE,
  });
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading" class="visually-hidden">
        Users of {params.tag}
      </h2>
      <div class="filters">
        <label>
          Search
          <input type="search" value={search} placeholder="identifier contains…" onInput={(event) => setSearch(event.currentTarget.value)} />
        </label>
        <label>
          Status
          <select value={params.status ?? ''} onChange={(event) => updateParams(route, { status: event.currentTarget.value || undefined, page: undefined })}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
            <option value="expired">Expired</option>
          </select>
        </label>
        <label>
          Sort by
          <select value={params.sort ?? 'lastSeen'} onChange={(event) => updateParams(route, { sort: event.currentTarget.value, page: undefined })}>
            <option value="lastSeen">Last seen</option>
            <option value="firstSeen">First seen</option>
            <option value="sessions">Sessions</option>
            <option value="identifier">Identifier</option>
          </select>
        </label>
      </div>
      <Show loaded={loaded} isEmpty={(data) => data.users.length === 0} empty="No users match.">
        {(data) => {
          const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
          return (
            <>
              <p class="summary">
                <span data-testid="users-total">{formatNumber(data.total)}</span> users seen in this range
              </p>
              <div class="table-wrap">
                <table class="users">
                  <thead>
                    <tr>
                      <th scope="col">Identifier</th>
                      <th scope="col">Env</th>
                      <th scope="col">First seen</th>
                      <th scope="col">Last seen</th>
                      <th scope="col" class="num">
                        Sessions
                      </th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.users.map((user) => (
                      <tr>
                        <td>
                          <a href={hrefOf('user', carry(route, { env: user.env, identifier: user.identifier }))} onClick={onLinkClick}>
                            {user.identifier}
                          </a>
                        </td>
                        <td>{user.env}</td>
                        <td>{formatTime(user.firstSeen, time.tz)}</td>
                        <td>{formatTime(user.lastSeen, time.tz)}</td>
                        <td class="num">{formatNumber(user.sessions)}</td>
                        <td>
                          <span class={`status ${user.status}`}>{user.status}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <nav class="pager" aria-label="Pages of users">
                <button type="button" disabled={page <= 1} onClick={() => updateParams(route, { page: String(page - 1) })}>
                  Previous
                </button>
                <span>
                  Page {page} of {pages}
                </span>
                <button type="button" disabled={page >= pages} onClick={() => updateParams(route, { page: String(page + 1) })}>
                  Next
                </button>
              </nav>
            </>
          );
        }}
      </Show>
    </section>
  );
}
