/**
 * `token`: development tokens are minted by `npm run token` in a clone of the repository, with the
 * development issuer's key that `npm start` serves (scripts/dev-issuer.mjs). The published command
 * holds no signing key and mints nothing: a tool that can sign tokens has no place next to a
 * production configuration.
 */
export const TOKEN_HELP = `edge-authorizer token: development tokens come from the repository, not from this command.

In a clone of edge-authorizer:
  npm start                                   # Worker + demo origin + development issuer
  npm run --silent token -- --aud orders-api --scope orders:read [--sub alice] [--ttl 300] [--claim k=v]

The development issuer's key lives in .wrangler/dev-issuer/ (git-ignored) and is trusted only by the
development configuration. Production tokens come from your identity provider.
`;
