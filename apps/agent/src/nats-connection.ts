/**
 * The agent's one NATS connection: credentials from config (user/password or an nkey seed),
 * reconnecting forever (issue 6: "reconnects when NATS restarts"). The engine keeps sending
 * while the link is down; only reports wait for it.
 */
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';

export interface NatsConnectOptions {
  servers: string[];
  user?: string;
  password?: string;
  /** An nkey user seed (`SU...`); exclusive with user/password (checked by the config parser). */
  nkeySeed?: string;
  /** Shown in the server's connz (`memoco-agent@tx-1`). */
  name: string;
}

export interface NatsLink {
  nc: NatsConnection;
  /** False from a disconnect until the client is back. */
  connected(): boolean;
}

export async function connectNats(options: NatsConnectOptions, log: (message: string) => void): Promise<NatsLink> {
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // A cluster's servers are tried in the order given, so each agent can prefer its own node.
    noRandomize: true,
    ...(options.user !== undefined ? { user: options.user, pass: options.password } : {}),
    ...(options.nkeySeed !== undefined ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed)) } : {}),
  });
  let up = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') up = false;
      if (status.type === 'reconnect') up = true;
      if (status.type === 'disconnect') log(`NATS disconnected (${status.server ?? 'server'}); the engine keeps sending, reports wait`);
      if (status.type === 'reconnect') log(`NATS reconnected to ${status.server ?? 'a server'}`);
    }
  })();
  return { nc, connected: () => up && !nc.isClosed() };
}
