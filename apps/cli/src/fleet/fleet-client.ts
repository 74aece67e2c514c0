/**
 * A small HTTP client of the controller (and trainer) APIs for the CLI: bearer token,
 * JSON in and out, and the services' `{error: {code, message}}` turned back into a
 * MemocoError with the service's own code, so the CLI prints `memoco runs show:
 * CONTROLLER_ERR_RUN_NOT_FOUND: no run x`.
 */
import { MemocoError } from '@memoco/protocol';
import type { FleetTarget } from './fleet-target.ts';

const TIMEOUT_MS = 30_000;

export class FleetClient {
  constructor(readonly target: FleetTarget) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', this.target.controllerUrl, path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', this.target.controllerUrl, path, body);
  }

  async request<T>(method: string, base: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new MemocoError('FLEET_ERR_UNREACHABLE', `cannot reach ${base} (from ${this.target.source}): ${why}; is the fleet running (memoco up)?`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new MemocoError('FLEET_ERR_BAD_RESPONSE', `${method} ${base}${path} answered ${response.status} with something that is not JSON: ${text.slice(0, 120)}`);
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (error?.code) throw new MemocoError(error.code, error.message ?? '', { status: response.status });
      throw new MemocoError('FLEET_ERR_BAD_RESPONSE', `${method} ${base}${path} answered ${response.status} without a coded error`);
    }
    return json as T;
  }
}
