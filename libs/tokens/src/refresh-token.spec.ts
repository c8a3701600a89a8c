import { issueRefreshToken, parseRefreshToken, refreshSecretMatches } from './refresh-token';

describe('refresh tokens', () => {
  it('carry the session id and a secret of which only the hash is kept', () => {
    const issued = issueRefreshToken('01900000-0000-7000-8000-000000000001');
    const parsed = parseRefreshToken(issued.token);

    expect(parsed?.sessionId).toBe('01900000-0000-7000-8000-000000000001');
    expect(issued.hash).not.toContain(parsed?.secret);
    expect(refreshSecretMatches(parsed!.secret, issued.hash)).toBe(true);
    expect(
      refreshSecretMatches(
        parsed!.secret.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        issued.hash,
      ),
    ).toBe(false);
  });

  it('are different every time', () => {
    const a = issueRefreshToken('s');
    const b = issueRefreshToken('s');
    expect(a.token).not.toBe(b.token);
    expect(a.hash).not.toBe(b.hash);
  });

  it.each(['', 'garbage', 'wmr1.s', 'wmr2.s.' + 'a'.repeat(43), 'wmr1.s.short'])('rejects the malformed token %p', (token) => {
    expect(parseRefreshToken(token)).toBeUndefined();
  });
});
