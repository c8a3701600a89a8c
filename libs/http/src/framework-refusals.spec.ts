import { problemForClientError } from './framework-refusals';

function clientError(code: string, rawPacket?: string): Error & { code: string; rawPacket?: Buffer } {
  return Object.assign(new Error(code), { code, rawPacket: rawPacket === undefined ? undefined : Buffer.from(rawPacket, 'latin1') });
}

describe('problemForClientError', () => {
  it('tells a URL that never ended from headers that are too large', () => {
    expect(problemForClientError(clientError('HPE_HEADER_OVERFLOW', `GET /v1/x?q=${'a'.repeat(20_000)}`))).toMatchObject({ status: 414, code: 'URI_TOO_LONG' });
    expect(problemForClientError(clientError('HPE_HEADER_OVERFLOW', `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}`))).toMatchObject({
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    });
    expect(problemForClientError(clientError('HPE_HEADER_OVERFLOW', `GET /v1/x?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n`))).toMatchObject({
      status: 414,
    });
    expect(problemForClientError(clientError('HPE_HEADER_OVERFLOW'))).toMatchObject({ status: 431 });
  });

  it('answers a timeout 408 and anything else 400, each with a stable code', () => {
    expect(problemForClientError(clientError('ERR_HTTP_REQUEST_TIMEOUT'))).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(problemForClientError(clientError('HPE_INVALID_METHOD'))).toMatchObject({
      status: 400,
      code: 'MALFORMED_REQUEST',
      type: 'urn:waymark:problem:malformed-request',
    });
  });
});
