/**
 * A real HTTP upload through a socket for the streaming tests: the body goes out chunk by
 * chunk (chunked transfer encoding unless a length is given), the caller decides when each
 * part is sent, and an early answer (413, 400) is taken while the body is still going out.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SocketUpload {
  /** Sends bytes; resolves once the socket took them (backpressure respected). */
  send(bytes: Uint8Array): Promise<void>;
  /** Ends the body and waits for the answer. */
  finish(): Promise<UploadAnswer>;
  /** The answer, whenever it comes (also before the body ended). */
  readonly answer: Promise<UploadAnswer>;
  /** Drops the connection mid-upload, as a client that crashed. */
  abort(): void;
  readonly request: ClientRequest;
}

export interface UploadAnswer {
  status: number;
  json: any;
}

export function startSocketUpload(url: string, options: { token?: string; query?: string; contentLength?: number; contentType?: string | null } = {}): SocketUpload {
  const headers: Record<string, string> = {};
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/octet-stream';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
  const req = httpRequest(`${url}/v1/traces${options.query ? `?${options.query}` : ''}`, { method: 'POST', headers });
  let answered = false;
  const answer = new Promise<UploadAnswer>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
  });
  answer.catch(() => {});
  return {
    request: req,
    answer,
    send(bytes) {
      if (answered || req.destroyed || req.write(bytes)) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    },
    async finish() {
      if (!answered && !req.destroyed) req.end();
      return answer;
    },
    abort() {
      req.destroy();
    },
  };
}
