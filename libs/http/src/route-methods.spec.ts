import { RouteMethods } from './route-methods';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add('POST', '/v1/sessions');
  routes.add(['GET', 'HEAD'], '/v1/sessions/active');
  routes.add('GET', '/v1/products/:product/session-specs/:tag');
  routes.add('PUT', '/v1/products/:product/session-specs/:tag');
  routes.add('DELETE', '/v1/products/:product/session-specs/:tag');
  routes.add('GET', '/docs/*');

  it('lists every method of the routes that match a concrete path', () => {
    expect(routes.allowedAt('/v1/sessions')).toEqual(['POST']);
    expect(routes.allowedAt('/v1/sessions/active?x=1')).toEqual(['GET', 'HEAD']);
    expect(routes.allowedAt('/v1/products/p/session-specs/t')).toEqual(['DELETE', 'GET', 'PUT']);
    expect(routes.allowedAt('/docs/assets/x.css')).toEqual(['GET']);
  });

  it('knows nothing of paths no route has', () => {
    expect(routes.allowedAt('/v1/nothing')).toEqual([]);
    expect(routes.allowedAt('/v1/products//session-specs/t')).toEqual([]);
    expect(routes.allowedAt('/v1/sessions/')).toEqual([]);
    expect(routes.allowedAt('/v1/products/p/session-specs/t/extra')).toEqual([]);
  });
});
