/**
 * dlt's `oauth2_client_credentials` auth: a token from the token endpoint (form POST of
 * grant_type=client_credentials, client_id, client_secret and any extra fields), sent as a
 * bearer token, fetched again shortly before it expires (`expires_in`, else the configured
 * default lifetime). A token given in the config is used until its lifetime ends.
 */
import type { AuthConfig } from '../config/schema';
import { IngestError } from '../errors';
import { httpRequest, type HttpSettings } from './client';

type OAuthConfig = Extract<AuthConfig, { type: 'oauth2_client_credentials' }>;

/** Refresh this long before a token expires, so a request never carries a stale one. */
const EARLY_MS = 30_000;

export class OAuth2ClientCredentials {
  private token: string | undefined;
  private expiresAt = 0;

  constructor(
    private readonly config: OAuthConfig,
    private readonly settings: HttpSettings,
  ) {
    if (config.access_token) {
      this.token = config.access_token;
      this.expiresAt = Date.now() + config.default_token_expiration * 1000;
    }
  }

  /** The `Authorization` header value, fetching a token when there is none or it is expiring. */
  async authorization(signal?: AbortSignal): Promise<string> {
    if (!this.token || Date.now() >= this.expiresAt - EARLY_MS) await this.refresh(signal);
    return `Bearer ${this.token}`;
  }

  /** The current token, for masking in messages. */
  current(): string | undefined {
    return this.token;
  }

  private async refresh(signal?: AbortSignal): Promise<void> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.config.client_id, client_secret: this.config.client_secret });
    for (const [k, v] of Object.entries(this.config.access_token_request_data ?? {})) form.set(k, String(v));
    const response = await httpRequest(
      { url: this.config.access_token_url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() },
      { ...this.settings, secrets: [...this.settings.secrets, this.config.client_secret] },
      signal,
    );
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(response.text) as typeof body;
    } catch {
      throw new IngestError(`The OAuth2 token endpoint ${this.config.access_token_url} did not answer with JSON`, { url: this.config.access_token_url, status: response.status, attempts: response.attempts });
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new IngestError(`The OAuth2 token endpoint ${this.config.access_token_url} gave no access_token`, { url: this.config.access_token_url, status: response.status, attempts: response.attempts });
    }
    this.token = body.access_token;
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? this.config.default_token_expiration);
    this.expiresAt = Date.now() + (Number.isFinite(lifetime) ? lifetime : this.config.default_token_expiration) * 1000;
  }
}
