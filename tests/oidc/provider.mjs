// A real OpenID Connect provider for the tests: panva's certified oidc-provider, on
// loopback, configured from one JSON file the test writes (issuer, port, signing keys,
// clients, accounts). Its access tokens are JWTs for the service's audience carrying the
// person's name and groups, as Keycloak and Entra ID issue them (docs/identity.md).
// Key rotation: the test restarts it with another key set under the same issuer.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { accounts } = config;

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: { keys: config.keys },
  scopes: ['openid', 'profile', 'api'],
  claims: { openid: ['sub'], profile: ['name', 'groups'] },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: account.name, groups: account.groups };
      },
    };
  },
  async extraTokenClaims(ctx, token) {
    const account = accounts[token.accountId ?? token.clientId];
    return account ? { name: account.name, groups: account.groups } : undefined;
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: config.audience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  // Swagger UI exchanges the code from the service's page: another origin.
  clientBasedCORS: () => true,
  cookies: { keys: ['envagin-test-provider-cookies'] },
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening on ${config.issuer}`);
});
