/**
 * Remote monitoring configuration (the `monitoring` section of the main config file). Off by default; when on,
 * loopback unless configured otherwise, and a non-loopback address needs TLS (bearer tokens never travel in
 * clear). Tokens are kept only as SHA-256 hashes with scopes and an expiry: either in this section (for
 * configuration management) or in `<dataDir>/<tokensFile>`, which `atm-tools monitoring token create` writes.
 */
import { z } from 'zod';

export const SCOPES = ['read', 'operate'] as const;
export type Scope = (typeof SCOPES)[number];

export const tokenSchema = z.strictObject({
  /** Shown in the journal (`remote:<name>`) and in logs; never the secret. */
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only'),
  /** Lower-case hex SHA-256 of the token secret (see main/monitoring/tokens.ts, generateToken). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (SHA-256 of the token)'),
  scopes: z.array(z.enum(SCOPES)).min(1),
  /** ISO 8601 date-time; the token is refused from this instant on. */
  expiresAt: z.iso.datetime({ offset: true }),
});
export type MonitoringToken = z.infer<typeof tokenSchema>;

const tlsSchema = z.strictObject({
  /** PEM certificate chain and private key of the monitoring API. */
  certPath: z.string().min(1),
  keyPath: z.string().min(1),
  /** CA bundle for client certificates: when set, clients must present a certificate it signed (mutual TLS). */
  clientCaPath: z.string().min(1).optional(),
});

const mqttSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** mqtt://, mqtts://, ws:// or wss:// broker URL. */
  url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'must start with mqtt://, mqtts://, ws:// or wss://').default('mqtt://127.0.0.1:1883'),
  /** Default `atm-<terminalId>`. */
  clientId: z.string().min(1).max(64).optional(),
  username: z.string().min(1).optional(),
  /** The password is read from this file (never written in the config). */
  passwordFile: z.string().min(1).optional(),
  /** For mqtts:// / wss://: CA bundle to trust, and a client certificate/key when the broker wants one. */
  caPath: z.string().min(1).optional(),
  certPath: z.string().min(1).optional(),
  keyPath: z.string().min(1).optional(),
  /** Topics are `<prefix>/<terminalId>/status|alerts|journal/summary|online`. */
  topicPrefix: z.string().min(1).regex(/^[^#+\s]+$/, 'no MQTT wildcards or spaces').default('atm'),
  /** Events kept (in <dataDir>/monitoring-outbox.db) while the broker is unreachable; the oldest are dropped beyond this. */
  bufferSize: z.number().int().min(1).max(1_000_000).default(10_000),
  /** How often a journal summary (transactions by type/result, entries by kind) is published. */
  summaryIntervalMs: z.number().int().min(1000).default(300_000),
  reconnectMs: z.number().int().min(100).default(5000),
  keepaliveSec: z.number().int().min(1).max(3600).default(30),
});
export type MqttConfig = z.infer<typeof mqttSchema>;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;
export const isLoopback = (host: string) => LOOPBACK.test(host);

export const monitoringConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Listen address. Anything but loopback requires `tls`. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (the URL is printed at start). */
    port: z.number().int().min(0).max(65535).default(8470),
    /** Hashed tokens kept in the config file (e.g. rolled out by configuration management). */
    tokens: z.array(tokenSchema).default([]),
    /** Token file in the data directory (relative) or an absolute path; re-read when it changes. */
    tokensFile: z.string().min(1).default('monitoring-tokens.json'),
    tls: tlsSchema.optional(),
    rateLimit: z
      .strictObject({
        /** Requests per token (per client address when unauthenticated) in each window. */
        max: z.number().int().min(1).default(120),
        windowMs: z.number().int().min(100).default(60_000),
      })
      .prefault({}),
    /** Largest request body accepted (commands are small JSON objects). */
    bodyLimitBytes: z.number().int().min(256).max(1_048_576).default(16_384),
    /** Concurrent WebSocket subscribers. */
    maxStreams: z.number().int().min(1).max(1000).default(16),
    alerts: z
      .strictObject({
        /** A reversal queue that stays non-empty this long raises an alert. */
        reversalQueueMinutes: z.number().min(0).default(10),
        /** Cleared alerts kept for GET /alerts history. */
        historySize: z.number().int().min(1).max(10_000).default(500),
      })
      .prefault({}),
    /** How often the status is re-read for change events (it is also re-read on every device/host/journal event). */
    pollMs: z.number().int().min(50).default(2000),
    mqtt: mqttSchema.prefault({}),
  })
  .superRefine((m, ctx) => {
    if (m.enabled && !isLoopback(m.host) && !m.tls)
      ctx.addIssue({ code: 'custom', path: ['tls'], message: `required when monitoring.host (${m.host}) is not a loopback address: tokens must not travel in clear`, input: m.tls });
    const names = new Set<string>();
    m.tokens.forEach((t, i) => {
      if (names.has(t.name)) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'name'], message: `duplicate token name "${t.name}"`, input: t.name });
      names.add(t.name);
    });
    const q = m.mqtt;
    if ((q.certPath === undefined) !== (q.keyPath === undefined))
      ctx.addIssue({ code: 'custom', path: ['mqtt', q.certPath === undefined ? 'certPath' : 'keyPath'], message: 'certPath and keyPath go together', input: q });
  });

export type MonitoringConfig = z.infer<typeof monitoringConfigSchema>;
export type MonitoringConfigInput = z.input<typeof monitoringConfigSchema>;

export function parseMonitoringConfig(input: unknown = {}): MonitoringConfig {
  return monitoringConfigSchema.parse(input);
}
