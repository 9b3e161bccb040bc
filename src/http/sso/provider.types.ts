export const providerKinds = ['oidc', 'saml'] as const;
export type ProviderKind = (typeof providerKinds)[number];

/** When no Core user has the identity as its sso-identifier: also try the identity's email, or its login. */
export const matchFallbacks = ['none', 'email', 'login'] as const;
export type MatchFallback = (typeof matchFallbacks)[number];

interface CommonSettings {
  /** OIDC: the id_token claim matched to sso-identifier (default sub). SAML: an attribute name, or "nameid" (default). */
  claim: string;
  fallback: MatchFallback;
}

export interface OidcSettings extends CommonSettings {
  kind: 'oidc';
  issuer: string;
  clientId: string;
  /** Space-separated, always with openid. */
  scopes: string;
}

export interface SamlSettings extends CommonSettings {
  kind: 'saml';
  /** The IdP's entity id: the Issuer its assertions must carry. */
  idpEntityId: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoUrl: string;
  /** PEM certificates whose keys may sign assertions (several during a rollover). */
  idpCerts: string[];
  /** Where the metadata came from, when it came from a URL. */
  metadataUrl: string | null;
}

export type ProviderSettings = OidcSettings | SamlSettings;

/** What the API and the CLI show: never a secret. */
export interface ProviderInfo {
  id: number;
  name: string;
  kind: ProviderKind;
  enabled: boolean;
  settings: ProviderSettings;
  hasClientSecret: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What sign-in needs: the settings and the secret. */
export interface Provider extends ProviderInfo {
  clientSecret: string | null;
}

export interface OidcProviderInput {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  claim?: string;
  fallback?: string;
  scopes?: string;
}

export interface SamlProviderInput {
  name: string;
  /** One of: metadata XML, a metadata URL, or entity id + SSO URL + certificate. */
  metadataXml?: string;
  metadataUrl?: string;
  idpEntityId?: string;
  ssoUrl?: string;
  certificate?: string;
  claim?: string;
  fallback?: string;
}

export interface ProviderChanges {
  enabled?: boolean;
  claim?: string;
  fallback?: string;
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  scopes?: string;
  metadataXml?: string;
  metadataUrl?: string;
  idpEntityId?: string;
  ssoUrl?: string;
  certificate?: string;
}
