/**
 * A service's one NATS connection: credentials from config (user/password or an nkey
 * seed), reconnecting forever (issue 6: "reconnects when NATS restarts"), and a record of
 * when it was last (re)connected, so the controller's host-loss detection does not blame
 * hosts for an outage of NATS itself.
 */
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { MemocoError } from '@memoco/protocol';

export interface NatsConnectOptions {
  servers: string[];
  user?: string;
  password?: string;
  /** An nkey user seed (`SU...`); exclusive with user/password (checked by the config parser). */
  nkeySeed?: string;
  /** Shown in the server's connz (e.g. `memoco-controller@host`). */
  name: string;
  /** Wait between reconnect attempts (default 500 ms). */
  reconnectTimeWaitMs?: number;
  /** Try the servers in the order given (an agent prefers its own cluster node); default: shuffled. */
  noRandomize?: boolean;
  /** Told of each disconnect and reconnect, e.g. for the service's log. */
  onStatus?: (change: 'disconnect' | 'reconnect', server: string | undefined) => void;
}

export interface ConnectionTracker {
  /** True while the client has a live connection. */
  readonly connected: boolean;
  /** Unix ms of the latest successful (re)connection. */
  readonly connectedSinceMs: number;
}

export interface NatsLink {
  nc: NatsConnection;
  tracker: ConnectionTracker;
}

/** connectNats, a failure to connect thrown as the service's `code` (503) naming the servers. */
export async function connectNatsAs(code: string, options: NatsConnectOptions, nowMs: () => number): Promise<NatsLink> {
  try {
    return await connectNats(options, nowMs);
  } catch (error) {
    throw new MemocoError(code, `cannot connect to NATS at ${options.servers.join(',')}: ${(error as Error).message}`, { status: 503 }, { cause: error });
  }
}

export async function connectNats(options: NatsConnectOptions, nowMs: () => number): Promise<NatsLink> {
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 500,
    waitOnFirstConnect: false,
    ...(options.noRandomize ? { noRandomize: true } : {}),
    ...(options.user !== undefined ? { user: options.user, pass: options.password } : {}),
    ...(options.nkeySeed !== undefined ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed)) } : {}),
  });
  const state = { connected: true, connectedSinceMs: nowMs() };
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') state.connected = false;
      if (status.type === 'reconnect') {
        state.connected = true;
        state.connectedSinceMs = nowMs();
      }
      if (status.type === 'disconnect' || status.type === 'reconnect') options.onStatus?.(status.type, status.server);
    }
  })();
  return {
    nc,
    tracker: {
      get connected() {
        return state.connected && !nc.isClosed();
      },
      get connectedSinceMs() {
        return state.connectedSinceMs;
      },
    },
  };
}
